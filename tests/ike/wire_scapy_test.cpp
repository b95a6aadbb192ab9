// The codec against an independent one: scapy's IKEv2 layer parses what we
// serialize, and we parse what scapy builds, for a message holding every
// payload type we interpret and for an SK-carrying message.
#include <gtest/gtest.h>

#include "ike/wire/message.hpp"
#include "tests/ike/oracle.hpp"
#include "tests/ike/sample_messages.hpp"

namespace vpngw::ike::test {
namespace {

using nlohmann::json;

std::vector<Message> samples() { return {every_payload_message(), encrypted_message()}; }

TEST(WireScapy, ScapyParsesWhatWeSerialize) {
  json messages = json::array();
  std::vector<Bytes> wires;
  for (const Message& m : samples()) {
    wires.push_back(serialize_message(m));
    messages.push_back(hex(wires.back()));
  }
  json answer = run_oracle("scapy_parse", {{"messages", messages}});
  std::vector<Message> ours = samples();
  for (size_t i = 0; i < ours.size(); ++i) {
    json want = to_spec(ours[i]);
    want["header"]["length"] = wires[i].size();
    EXPECT_EQ(answer["messages"][i], want) << "scapy saw:\n"
                                           << answer["messages"][i].dump(1) << "\nwe sent:\n"
                                           << want.dump(1);
  }
}

TEST(WireScapy, WeParseWhatScapyBuilds) {
  json specs = json::array();
  for (const Message& m : samples()) specs.push_back(to_spec(m));
  json answer = run_oracle("scapy_build", {{"specs", specs}});
  std::vector<Message> want = samples();
  for (size_t i = 0; i < want.size(); ++i) {
    Bytes wire = unhex(answer["messages"][i]);
    auto parsed = parse_message(wire);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    want[i].header.length = static_cast<uint32_t>(wire.size());
    want[i].header.next_payload = payload_type(want[i].payloads.front());
    EXPECT_EQ(*parsed, want[i]);
    EXPECT_EQ(serialize_message(*parsed), wire);  // byte-exact with scapy's encoding
  }
}

}  // namespace
}  // namespace vpngw::ike::test
