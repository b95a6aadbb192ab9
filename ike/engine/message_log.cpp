#include "ike/engine/message_log.hpp"

namespace vpngw::ike {

std::string short_notify_name(NotifyType type) {
  switch (type) {
    case NotifyType::unsupported_critical_payload: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case NotifyType::invalid_ike_spi: return "INVAL_IKE_SPI";
    case NotifyType::invalid_major_version: return "INVAL_MAJOR";
    case NotifyType::invalid_syntax: return "INVAL_SYN";
    case NotifyType::invalid_message_id: return "INVAL_MID";
    case NotifyType::invalid_spi: return "INVAL_SPI";
    case NotifyType::no_proposal_chosen: return "NO_PROP";
    case NotifyType::invalid_ke_payload: return "INVAL_KE";
    case NotifyType::authentication_failed: return "AUTH_FAILED";
    case NotifyType::single_pair_required: return "SINGLE_PAIR";
    case NotifyType::no_additional_sas: return "NO_ADD_SAS";
    case NotifyType::ts_unacceptable: return "TS_UNACCEPT";
    case NotifyType::invalid_selectors: return "INVAL_SEL";
    case NotifyType::temporary_failure: return "TEMP_FAIL";
    case NotifyType::child_sa_not_found: return "CHILD_SA_NOT_FOUND";
    case NotifyType::initial_contact: return "INIT_CONTACT";
    case NotifyType::set_window_size: return "SET_WINSIZE";
    case NotifyType::additional_ts_possible: return "ADD_TS_POSS";
    case NotifyType::nat_detection_source_ip: return "NATD_S_IP";
    case NotifyType::nat_detection_destination_ip: return "NATD_D_IP";
    case NotifyType::cookie: return "COOKIE";
    case NotifyType::use_transport_mode: return "USE_TRANSP";
    case NotifyType::rekey_sa: return "REKEY_SA";
    case NotifyType::esp_tfc_padding_not_supported: return "ESP_TFC_PAD_N";
    case NotifyType::mobike_supported: return "MOBIKE_SUP";
    case NotifyType::fragmentation_supported: return "FRAG_SUP";
    case NotifyType::signature_hash_algorithms: return "HASH_ALG";
    default: return std::to_string(static_cast<unsigned>(type));
  }
}

namespace {

std::string short_name(const Payload& p) {
  if (const auto* n = std::get_if<NotifyPayload>(&p)) return "N(" + short_notify_name(n->type) + ")";
  if (const auto* d = std::get_if<DeletePayload>(&p))
    return d->protocol == ProtocolId::ike ? "D" : "D(" + name_of(d->protocol) + ")";
  switch (payload_type(p)) {
    case PayloadType::sa: return "SA";
    case PayloadType::ke: return "KE";
    case PayloadType::idi: return "IDi";
    case PayloadType::idr: return "IDr";
    case PayloadType::cert: return "CERT";
    case PayloadType::certreq: return "CERTREQ";
    case PayloadType::auth: return "AUTH";
    case PayloadType::nonce: return "No";
    case PayloadType::vendor_id: return "V";
    case PayloadType::tsi: return "TSi";
    case PayloadType::tsr: return "TSr";
    case PayloadType::sk: return "SK";
    case PayloadType::cp: return "CP";
    case PayloadType::eap: return "EAP";
    default: return "U(" + std::to_string(static_cast<unsigned>(payload_type(p))) + ")";
  }
}

}  // namespace

std::string payload_summary(const Message& message) {
  std::string out = "[ ";
  for (const Payload& p : message.payloads) out += short_name(p) + " ";
  return out + "]";
}

std::string describe_message(const Message& message) {
  return name_of(message.header.exchange) + (message.header.response ? " response " : " request ") +
         std::to_string(message.header.message_id) + " " + payload_summary(message);
}

std::string describe(const Endpoint& endpoint) {
  return endpoint.address.str() + "[" + std::to_string(endpoint.port) + "]";
}

}  // namespace vpngw::ike
