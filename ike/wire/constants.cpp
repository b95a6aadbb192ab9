#include "ike/wire/constants.hpp"

#include <string_view>

namespace vpngw::ike {

namespace {

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

template <typename E, size_t N>
std::string lookup(const Named<E> (&table)[N], E value, std::string_view prefix) {
  for (const auto& entry : table)
    if (entry.value == value) return std::string(entry.name);
  return std::string(prefix) + std::to_string(static_cast<unsigned>(value));
}

constexpr Named<PayloadType> kPayloadNames[] = {
    {PayloadType::none, "NONE"},     {PayloadType::sa, "SA"},
    {PayloadType::ke, "KE"},         {PayloadType::idi, "IDi"},
    {PayloadType::idr, "IDr"},       {PayloadType::cert, "CERT"},
    {PayloadType::certreq, "CERTREQ"}, {PayloadType::auth, "AUTH"},
    {PayloadType::nonce, "No"}, {PayloadType::notify, "N"},
    {PayloadType::del, "D"},         {PayloadType::vendor_id, "V"},
    {PayloadType::tsi, "TSi"},       {PayloadType::tsr, "TSr"},
    {PayloadType::sk, "SK"},         {PayloadType::cp, "CP"},
    {PayloadType::eap, "EAP"},       {PayloadType::skf, "SKF"},
};

constexpr Named<ExchangeType> kExchangeNames[] = {
    {ExchangeType::ike_sa_init, "IKE_SA_INIT"},
    {ExchangeType::ike_auth, "IKE_AUTH"},
    {ExchangeType::create_child_sa, "CREATE_CHILD_SA"},
    {ExchangeType::informational, "INFORMATIONAL"},
};

constexpr Named<NotifyType> kNotifyNames[] = {
    {NotifyType::unsupported_critical_payload, "UNSUPPORTED_CRITICAL_PAYLOAD"},
    {NotifyType::invalid_ike_spi, "INVALID_IKE_SPI"},
    {NotifyType::invalid_major_version, "INVALID_MAJOR_VERSION"},
    {NotifyType::invalid_syntax, "INVALID_SYNTAX"},
    {NotifyType::invalid_message_id, "INVALID_MESSAGE_ID"},
    {NotifyType::invalid_spi, "INVALID_SPI"},
    {NotifyType::no_proposal_chosen, "NO_PROPOSAL_CHOSEN"},
    {NotifyType::invalid_ke_payload, "INVALID_KE_PAYLOAD"},
    {NotifyType::authentication_failed, "AUTHENTICATION_FAILED"},
    {NotifyType::single_pair_required, "SINGLE_PAIR_REQUIRED"},
    {NotifyType::no_additional_sas, "NO_ADDITIONAL_SAS"},
    {NotifyType::internal_address_failure, "INTERNAL_ADDRESS_FAILURE"},
    {NotifyType::failed_cp_required, "FAILED_CP_REQUIRED"},
    {NotifyType::ts_unacceptable, "TS_UNACCEPTABLE"},
    {NotifyType::invalid_selectors, "INVALID_SELECTORS"},
    {NotifyType::temporary_failure, "TEMPORARY_FAILURE"},
    {NotifyType::child_sa_not_found, "CHILD_SA_NOT_FOUND"},
    {NotifyType::initial_contact, "INITIAL_CONTACT"},
    {NotifyType::set_window_size, "SET_WINDOW_SIZE"},
    {NotifyType::additional_ts_possible, "ADDITIONAL_TS_POSSIBLE"},
    {NotifyType::ipcomp_supported, "IPCOMP_SUPPORTED"},
    {NotifyType::nat_detection_source_ip, "NAT_DETECTION_SOURCE_IP"},
    {NotifyType::nat_detection_destination_ip, "NAT_DETECTION_DESTINATION_IP"},
    {NotifyType::cookie, "COOKIE"},
    {NotifyType::use_transport_mode, "USE_TRANSPORT_MODE"},
    {NotifyType::http_cert_lookup_supported, "HTTP_CERT_LOOKUP_SUPPORTED"},
    {NotifyType::rekey_sa, "REKEY_SA"},
    {NotifyType::esp_tfc_padding_not_supported, "ESP_TFC_PADDING_NOT_SUPPORTED"},
    {NotifyType::non_first_fragments_also, "NON_FIRST_FRAGMENTS_ALSO"},
    {NotifyType::mobike_supported, "MOBIKE_SUPPORTED"},
    {NotifyType::fragmentation_supported, "IKEV2_FRAGMENTATION_SUPPORTED"},
    {NotifyType::signature_hash_algorithms, "SIGNATURE_HASH_ALGORITHMS"},
};

constexpr Named<ProtocolId> kProtocolNames[] = {
    {ProtocolId::none, "NONE"}, {ProtocolId::ike, "IKE"},
    {ProtocolId::ah, "AH"},     {ProtocolId::esp, "ESP"},
};

}  // namespace

std::string name_of(PayloadType t) { return lookup(kPayloadNames, t, "PAYLOAD_"); }
std::string name_of(ExchangeType t) { return lookup(kExchangeNames, t, "EXCHANGE_"); }
std::string name_of(NotifyType t) { return lookup(kNotifyNames, t, "NOTIFY_"); }
std::string name_of(ProtocolId p) { return lookup(kProtocolNames, p, "PROTO_"); }

}  // namespace vpngw::ike
