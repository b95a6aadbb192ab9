#include "tests/ike/sample_messages.hpp"

#include "ike/sa/transform_ids.hpp"
#include "tests/ike/oracle.hpp"

namespace vpngw::ike::test {

namespace {

Bytes filled(size_t n, uint8_t first) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(first + i);
  return b;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string dotted(const Bytes& b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

Header sample_header(ExchangeType exchange) {
  Header h;
  h.spi_i = 0x0123456789ABCDEFull;
  h.spi_r = 0xFEDCBA9876543210ull;
  h.exchange = exchange;
  h.initiator = true;
  h.message_id = 7;
  return h;
}

}  // namespace

Message every_payload_message() {
  Message m;
  m.header = sample_header(ExchangeType::ike_auth);

  Proposal cbc;
  cbc.number = 1;
  cbc.protocol = ProtocolId::esp;
  cbc.spi = {0xC0, 0x01, 0xD0, 0x0D};
  cbc.transforms = {encr_transform(Cipher::aes128), encr_transform(Cipher::aes256),
                    integ_transform(Integrity::sha256), dh_transform(DhGroup::modp2048),
                    esn_transform(false)};
  Proposal gcm;
  gcm.number = 2;
  gcm.protocol = ProtocolId::esp;
  gcm.spi = {0xC0, 0x01, 0xD0, 0x0D};
  gcm.transforms = {encr_transform(Cipher::aes256gcm), esn_transform(true)};
  m.payloads.push_back(SaPayload{{cbc, gcm}});

  m.payloads.push_back(KePayload{14, filled(256, 0x11)});
  m.payloads.push_back(NoncePayload{filled(32, 0xA0)});
  m.payloads.push_back(NotifyPayload{ProtocolId::none, {}, NotifyType::nat_detection_source_ip,
                                     filled(20, 0x30)});
  m.payloads.push_back(NotifyPayload{ProtocolId::none, {}, NotifyType::nat_detection_destination_ip,
                                     filled(20, 0x50)});
  m.payloads.push_back(IdPayload{PayloadType::idi, IdType::ipv4_addr, {192, 0, 2, 10}});
  m.payloads.push_back(IdPayload{PayloadType::idr, IdType::fqdn, text("vpn.example.com")});
  m.payloads.push_back(AuthPayload{AuthMethod::shared_key_mic, filled(20, 0x70)});

  TsPayload tsi{PayloadType::tsi, {}};
  tsi.selectors.push_back(TrafficSelector::ipv4(*Cidr::parse("10.0.0.0/24")));
  tsi.selectors.push_back(TrafficSelector::ipv4(*Cidr::parse("10.0.1.0/24"), 6, 443, 443));
  m.payloads.push_back(tsi);
  TsPayload tsr{PayloadType::tsr, {}};
  tsr.selectors.push_back(TrafficSelector::ipv4(*Cidr::parse("192.168.0.0/16"), 17, 500, 4500));
  m.payloads.push_back(tsr);

  m.payloads.push_back(DeletePayload{ProtocolId::esp, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}});
  m.payloads.push_back(VendorIdPayload{text("vpngw test vendor id")});
  m.payloads.push_back(NotifyPayload{ProtocolId::esp, {0xAA, 0xBB, 0xCC, 0xDD}, NotifyType::rekey_sa, {}});
  return m;
}

Message encrypted_message() {
  Message m;
  m.header = sample_header(ExchangeType::informational);
  m.header.response = true;
  m.payloads.push_back(EncryptedPayload{PayloadType::notify, filled(64, 0x90)});
  return m;
}

nlohmann::json to_spec(const Message& message) {
  using nlohmann::json;
  uint8_t spi_i[8], spi_r[8];
  for (int i = 0; i < 8; ++i) {
    spi_i[i] = static_cast<uint8_t>(message.header.spi_i >> (56 - 8 * i));
    spi_r[i] = static_cast<uint8_t>(message.header.spi_r >> (56 - 8 * i));
  }
  int flags = (message.header.initiator ? kFlagInitiator : 0) |
              (message.header.response ? kFlagResponse : 0) |
              (message.header.higher_version ? kFlagVersion : 0);
  json spec;
  spec["header"] = {{"spi_i", hex(spi_i)},
                    {"spi_r", hex(spi_r)},
                    {"exchange", static_cast<int>(message.header.exchange)},
                    {"flags", flags},
                    {"message_id", message.header.message_id}};
  spec["payloads"] = json::array();
  for (const Payload& p : message.payloads) {
    json j;
    j["type"] = static_cast<int>(payload_type(p));
    if (const auto* sa = std::get_if<SaPayload>(&p)) {
      j["proposals"] = json::array();
      for (const Proposal& pr : sa->proposals) {
        json transforms = json::array();
        for (const Transform& t : pr.transforms)
          transforms.push_back({{"type", static_cast<int>(t.type)},
                                {"id", t.id},
                                {"key_bits", t.key_bits ? json(*t.key_bits) : json(nullptr)}});
        j["proposals"].push_back({{"number", pr.number},
                                  {"protocol", static_cast<int>(pr.protocol)},
                                  {"spi", hex(pr.spi)},
                                  {"transforms", transforms}});
      }
    } else if (const auto* ke = std::get_if<KePayload>(&p)) {
      j["group"] = ke->dh_group;
      j["data"] = hex(ke->data);
    } else if (const auto* id = std::get_if<IdPayload>(&p)) {
      j["id_type"] = static_cast<int>(id->id_type);
      j["data"] = hex(id->data);
    } else if (const auto* auth = std::get_if<AuthPayload>(&p)) {
      j["method"] = static_cast<int>(auth->method);
      j["data"] = hex(auth->data);
    } else if (const auto* nonce = std::get_if<NoncePayload>(&p)) {
      j["data"] = hex(nonce->data);
    } else if (const auto* n = std::get_if<NotifyPayload>(&p)) {
      j["protocol"] = static_cast<int>(n->protocol);
      j["spi"] = hex(n->spi);
      j["notify_type"] = static_cast<int>(n->type);
      j["data"] = hex(n->data);
    } else if (const auto* d = std::get_if<DeletePayload>(&p)) {
      j["protocol"] = static_cast<int>(d->protocol);
      j["spi_size"] = d->spi_size;
      j["spis"] = json::array();
      for (const Bytes& spi : d->spis) j["spis"].push_back(hex(spi));
    } else if (const auto* v = std::get_if<VendorIdPayload>(&p)) {
      j["data"] = hex(v->data);
    } else if (const auto* ts = std::get_if<TsPayload>(&p)) {
      j["selectors"] = json::array();
      for (const TrafficSelector& s : ts->selectors)
        j["selectors"].push_back({{"ts_type", static_cast<int>(s.type)},
                                  {"protocol", s.ip_protocol},
                                  {"start_port", s.start_port},
                                  {"end_port", s.end_port},
                                  {"start", dotted(s.start_address)},
                                  {"end", dotted(s.end_address)}});
    } else if (const auto* sk = std::get_if<EncryptedPayload>(&p)) {
      j["first_inner"] = static_cast<int>(sk->first_inner);
      j["data"] = hex(sk->body);
    }
    spec["payloads"].push_back(j);
  }
  return spec;
}

}  // namespace vpngw::ike::test
