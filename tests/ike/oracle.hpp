// Runs tests/ike/ike_oracle.py, the independent Python reference (hmac,
// cryptography, scapy), with a JSON request and returns its JSON answer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ike/bytes.hpp"

namespace vpngw::ike::test {

// Throws std::runtime_error if the script fails; the test then fails with
// the script's stderr in the message.
nlohmann::json run_oracle(const std::string& command, const nlohmann::json& request);

std::string hex(ByteView bytes);
Bytes unhex(const std::string& text);

}  // namespace vpngw::ike::test
