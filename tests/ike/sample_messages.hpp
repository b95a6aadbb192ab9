// Messages the codec tests share: one holding every payload type we
// interpret, built from values a real IKE_SA_INIT / IKE_AUTH would carry,
// and its description in the JSON vocabulary ike_oracle.py's scapy
// commands speak.
#pragma once

#include <nlohmann/json.hpp>

#include "ike/wire/message.hpp"

namespace vpngw::ike::test {

// SA (two proposals, key length attributes), KE, Ni, N(NAT_DETECTION_*),
// N with an SPI (REKEY_SA), IDi (IPv4), IDr (FQDN), AUTH, TSi, TSr (ports
// and protocols), D (two ESP SPIs), V.
Message every_payload_message();

// Header + one SK payload with opaque contents.
Message encrypted_message();

// The message in ike_oracle.py's "spec" form.
nlohmann::json to_spec(const Message& message);

}  // namespace vpngw::ike::test
