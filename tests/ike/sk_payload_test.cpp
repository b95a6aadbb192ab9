// The SK payload: round trips and tamper detection for every cipher and
// integrity pair, and interoperability with Python's cryptography in both
// directions (a CBC+HMAC and a GCM suite at least; all suites are cheap).
#include <gtest/gtest.h>

#include "ike/crypto/algorithms.hpp"
#include "ike/crypto/sk_payload.hpp"
#include "tests/ike/oracle.hpp"
#include "tests/ike/sample_messages.hpp"

namespace vpngw::ike::test {
namespace {

using nlohmann::json;

struct Pair {
  Cipher cipher;
  std::optional<Integrity> integrity;
  std::string name() const {
    return std::string(name_of(cipher)) + "/" + (integrity ? std::string(name_of(*integrity)) : "aead");
  }
};

std::vector<Pair> all_pairs() {
  std::vector<Pair> out;
  for (Cipher c : {Cipher::des, Cipher::des3, Cipher::aes128, Cipher::aes192, Cipher::aes256})
    for (Integrity i : {Integrity::md5, Integrity::sha1, Integrity::sha256, Integrity::sha384,
                        Integrity::sha512})
      out.push_back({c, i});
  out.push_back({Cipher::aes128gcm, std::nullopt});
  out.push_back({Cipher::aes256gcm, std::nullopt});
  return out;
}

// Keys of the right sizes for a pair, derived like a real IKE SA's.
struct Keys {
  Keys(const Pair& p, RandomSource& random) {
    suite.encryption = p.cipher;
    suite.integrity = p.integrity;
    suite.prf = Integrity::sha256;
    Bytes ni = random_nonce(random), nr = random_nonce(random), g = random_nonce(random, 64);
    ike = derive_ike_keys(suite, initial_skeyseed(suite.prf, ni, nr, g), ni, nr, 1, 2);
  }
  SkKeys initiator_sends() const { return sending_keys(suite, ike, true); }
  SkKeys responder_receives() const { return receiving_keys(suite, ike, false); }
  IkeSuite suite;
  IkeKeys ike;
};

std::vector<Payload> inner_payloads() {
  Message m = every_payload_message();
  return {m.payloads.begin() + 2, m.payloads.end()};  // IKE_AUTH-like: no SA/KE
}

Header auth_header() {
  Header h = every_payload_message().header;
  h.exchange = ExchangeType::ike_auth;
  h.message_id = 1;
  return h;
}

TEST(SkPayload, RoundTripForEveryPair) {
  SodiumRandom random;
  for (const Pair& p : all_pairs()) {
    SCOPED_TRACE(p.name());
    Keys keys(p, random);
    const auto inner = inner_payloads();
    Bytes wire = seal_message(auth_header(), inner, keys.initiator_sends(), random);
    auto opened = open_message(wire, keys.responder_receives());
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    EXPECT_EQ(opened->payloads, inner);
    EXPECT_EQ(opened->header.exchange, ExchangeType::ike_auth);
    EXPECT_EQ(opened->header.length, wire.size());
    // CBC ciphertext is block aligned; GCM adds no padding at all.
    const CipherInfo& info = cipher_info(p.cipher);
    const size_t icv = info.aead ? info.icv_size : integrity_info(*p.integrity).icv_size;
    const size_t encrypted = wire.size() - kHeaderSize - 4 - info.iv_size - icv;
    EXPECT_EQ(encrypted % info.block_size, 0u);
    if (info.aead) {
      EXPECT_EQ(encrypted, serialize_payloads(inner).size() + 1);
    }
  }
}

TEST(SkPayload, EmptyInformationalRoundTrips) {
  // A DPD probe: an INFORMATIONAL request with an empty SK payload.
  SodiumRandom random;
  for (const Pair& p : all_pairs()) {
    Keys keys(p, random);
    Header h = auth_header();
    h.exchange = ExchangeType::informational;
    Bytes wire = seal_message(h, {}, keys.initiator_sends(), random);
    EXPECT_EQ(wire[kHeaderSize], 0) << p.name();  // SK's next payload: none
    auto opened = open_message(wire, keys.responder_receives());
    ASSERT_TRUE(opened.ok()) << p.name() << ": " << opened.error().describe();
    EXPECT_TRUE(opened->payloads.empty());
  }
}

TEST(SkPayload, AnyFlippedBitIsDetected) {
  SodiumRandom random;
  for (const Pair& p : all_pairs()) {
    SCOPED_TRACE(p.name());
    Keys keys(p, random);
    const Bytes wire = seal_message(auth_header(), inner_payloads(), keys.initiator_sends(), random);
    // Every byte after the length fields (which the parser checks before
    // any crypto): SPIs, exchange, flags, message ID, IV, ciphertext, ICV.
    for (size_t at = 0; at < wire.size(); ++at) {
      if ((at >= 24 && at < 28) || (at >= kHeaderSize + 2 && at < kHeaderSize + 4)) continue;
      // The version and the first payload type are read before the ICV
      // can be found, so damage there is a parse error instead.
      if (at == 16 || at == 17) continue;
      Bytes tampered = wire;
      tampered[at] ^= 0x01;
      auto opened = open_message(tampered, keys.responder_receives());
      ASSERT_FALSE(opened.ok()) << "bit flipped at byte " << at << " went unnoticed";
      EXPECT_EQ(opened.error().code, WireErrorCode::integrity_check_failed) << "byte " << at;
    }
  }
}

TEST(SkPayload, WrongDirectionKeysFail) {
  SodiumRandom random;
  Keys keys({Cipher::aes128, Integrity::sha1}, random);
  Bytes wire = seal_message(auth_header(), inner_payloads(), keys.initiator_sends(), random);
  // The initiator's own receive keys are SK_er/SK_ar: not what was used.
  auto opened = open_message(wire, receiving_keys(keys.suite, keys.ike, true));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, WireErrorCode::integrity_check_failed);
}

TEST(SkPayload, StructuralErrorsBeforeCrypto) {
  SodiumRandom random;
  Keys keys({Cipher::aes128, Integrity::sha256}, random);
  // No SK payload at all.
  Message plain;
  plain.header = auth_header();
  plain.payloads.push_back(NoncePayload{Bytes(16, 1)});
  auto opened = open_message(serialize_message(plain), keys.responder_receives());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, WireErrorCode::unexpected_payload);
  // An SK body too short for IV + one block + ICV, and one not block aligned.
  for (size_t body : {size_t{16}, size_t{16 + 17 + 16}}) {
    Message m;
    m.header = auth_header();
    m.payloads.push_back(EncryptedPayload{PayloadType::notify, Bytes(body, 0)});
    opened = open_message(serialize_message(m), keys.responder_receives());
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, WireErrorCode::bad_length) << body;
  }
}

// The oracle's field names for a pair and a direction's keys.
json oracle_case(const Pair& p, const SkKeys& k) {
  return {{"encr", name_of(p.cipher)},
          {"integ", p.integrity ? json(name_of(*p.integrity)) : json(nullptr)},
          {"sk_e", hex(k.encryption_key)},
          {"sk_a", hex(k.integrity_key)}};
}

TEST(SkPayload, PythonDecryptsWhatWeSeal) {
  SodiumRandom random;
  const auto inner = inner_payloads();
  const Bytes inner_wire = serialize_payloads(inner);
  std::vector<std::unique_ptr<Keys>> keys;
  json cases = json::array();
  for (const Pair& p : all_pairs()) {
    keys.push_back(std::make_unique<Keys>(p, random));
    json c = oracle_case(p, keys.back()->initiator_sends());
    c["message"] = hex(seal_message(auth_header(), inner, keys.back()->initiator_sends(), random));
    cases.push_back(c);
  }
  json answer = run_oracle("sk_open", {{"cases", cases}});
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(all_pairs()[i].name());
    const json& r = answer["results"][i];
    ASSERT_TRUE(r["ok"].get<bool>());
    EXPECT_EQ(r["first_inner"], static_cast<int>(payload_type(inner.front())));
    EXPECT_EQ(r["inner"], hex(inner_wire));
  }
}

TEST(SkPayload, WeOpenWhatPythonSeals) {
  SodiumRandom random;
  const auto inner = inner_payloads();
  const Header h = auth_header();
  std::vector<std::unique_ptr<Keys>> keys;
  json cases = json::array();
  for (const Pair& p : all_pairs()) {
    keys.push_back(std::make_unique<Keys>(p, random));
    json c = oracle_case(p, keys.back()->initiator_sends());
    c["header"] = to_spec(Message{h, {}})["header"];
    c["first_inner"] = static_cast<int>(payload_type(inner.front()));
    c["inner"] = hex(serialize_payloads(inner));
    cases.push_back(c);
  }
  json answer = run_oracle("sk_seal", {{"cases", cases}});
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(all_pairs()[i].name());
    auto opened = open_message(unhex(answer["results"][i]["message"]), keys[i]->responder_receives());
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    EXPECT_EQ(opened->payloads, inner);
    EXPECT_EQ(opened->header.spi_i, h.spi_i);
    EXPECT_EQ(opened->header.message_id, h.message_id);
  }
}

}  // namespace
}  // namespace vpngw::ike::test
