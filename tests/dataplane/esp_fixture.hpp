// A test fixture with what every ESP test needs: a crypto context with job
// validation on, a key-expansion manager, mbufs freed at the end, and
// one-packet helpers around the burst functions.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dataplane/crypto_ctx.hpp"
#include "dataplane/esp_decap.hpp"
#include "dataplane/esp_encap.hpp"
#include "dataplane/imb_manager.hpp"
#include "tests/dataplane/packet_builder.hpp"
#include "tests/dataplane/sa_fixtures.hpp"

namespace vpngw::dataplane::test {

struct Outcome {
  rte_mbuf* m = nullptr;
  bool ok = false;
  DropReason why{};
};

class EspFixture {
 protected:
  EspFixture() {
    std::string error;
    ctx_ = CryptoCtx::create(CryptoCtxOptions{.check_jobs = true}, &error);
    keys_ = ImbManager::create(&error);
    if (!ctx_ || !keys_) ADD_FAILURE() << error;
  }

  Outcome encap(OutboundSa& sa, const Bytes& inner) {
    rte_mbuf* m = mbufs_.make(inner);
    OutboundSa* sas[1] = {&sa};
    DropReason why[1]{};
    const uint16_t good = esp_encap_burst(*ctx_, &m, sas, 1, why);
    return {m, good == 1, why[0]};
  }

  Outcome decap(InboundSa& sa, const Bytes& packet) {
    rte_mbuf* m = mbufs_.make(packet);
    InboundSa* sas[1] = {&sa};
    DropReason why[1]{};
    const uint16_t good = esp_decap_burst(*ctx_, &m, sas, 1, why);
    return {m, good == 1, why[0]};
  }

  // Encapsulates and returns the ESP packet's bytes; fails the test if dropped.
  Bytes sealed(OutboundSa& sa, const Bytes& inner) {
    const Outcome o = encap(sa, inner);
    EXPECT_TRUE(o.ok) << name_of(o.why);
    return bytes_of(o.m);
  }

  SaPair pair(const Suite& suite, const SaOptions& options = {}) {
    return make_pair(*keys_, suite, options);
  }

  MbufOwner mbufs_;
  std::unique_ptr<CryptoCtx> ctx_;
  std::unique_ptr<ImbManager> keys_;
};

inline Bytes inner_packet(uint16_t len, uint32_t seed = 1) {
  return make_inner_packet(kLocalHost, kRemoteHost, len, seed);
}

inline const Suite kAesCbcSha1{EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96};
inline const Suite kAesGcm256{EspCipher::aes256_gcm, EspIntegrity::none};
inline const Suite k3desMd5{EspCipher::des3_cbc, EspIntegrity::hmac_md5_96};

}  // namespace vpngw::dataplane::test
