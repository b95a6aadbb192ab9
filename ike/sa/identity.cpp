#include "ike/sa/identity.hpp"

namespace vpngw::ike {

IdPayload id_payload(PayloadType type, const Identity& identity, Ipv4Addr default_address) {
  IdPayload id;
  id.type = type;
  std::optional<Ipv4Addr> address =
      identity.empty() ? std::optional(default_address) : Ipv4Addr::parse(identity.value);
  if (address) {
    id.id_type = IdType::ipv4_addr;
    id.data = {address->octet(0), address->octet(1), address->octet(2), address->octet(3)};
  } else {
    id.id_type = IdType::fqdn;
    id.data.assign(identity.value.begin(), identity.value.end());
  }
  return id;
}

std::string describe(const IdPayload& id) {
  if (id.id_type == IdType::ipv4_addr && id.data.size() == 4)
    return std::to_string(id.data[0]) + "." + std::to_string(id.data[1]) + "." +
           std::to_string(id.data[2]) + "." + std::to_string(id.data[3]);
  if (id.id_type == IdType::fqdn || id.id_type == IdType::rfc822_addr) {
    std::string text;
    for (uint8_t c : id.data) text += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    return text;
  }
  return "ID type " + std::to_string(static_cast<unsigned>(id.id_type)) + " (" +
         std::to_string(id.data.size()) + " bytes)";
}

bool matches(const IdPayload& received, const Identity& expected, Ipv4Addr default_address) {
  IdPayload wanted = id_payload(received.type, expected, default_address);
  return received.id_type == wanted.id_type && received.data == wanted.data;
}

}  // namespace vpngw::ike
