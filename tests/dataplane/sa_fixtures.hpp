// SA parameters and runtime objects for tests: every algorithm suite, with
// deterministic keys, and outbound/inbound pairs that talk to each other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/imb_manager.hpp"
#include "dataplane/sa_params.hpp"
#include "dataplane/sa_runtime.hpp"

namespace vpngw::dataplane::test {

struct Suite {
  EspCipher cipher;
  EspIntegrity integrity;
  std::string name() const;  // "aes128-cbc_hmac-sha1-96", usable in test names
};

// Every supported combination: 5 CBC ciphers x 3 HMACs, and the 2 GCMs.
std::vector<Suite> all_suites();

struct SaOptions {
  uint32_t spi = 0x1234;
  bool udp = false;
  bool esn = false;
  uint32_t replay_window = 1024;
  uint64_t start_seq = 0;
  uint64_t max_bytes = 0;
  uint64_t max_packets = 0;
  uint8_t key_seed = 0;
};

// Outbound: our public address to the peer's. Inbound: the same outer
// addresses, with selectors that accept what the outbound side sends
// (kLocalHost -> kRemoteHost), i.e. the peer's view of the tunnel.
SaParams make_params(SaDirection dir, const Suite& suite, const SaOptions& options = {});

struct SaPair {
  SaParams out_params;
  SaParams in_params;
  std::unique_ptr<OutboundSa> out;
  std::unique_ptr<InboundSa> in;
};

// Both directions of one SA; fails the calling test if they cannot be built.
SaPair make_pair(const ImbManager& keys, const Suite& suite, const SaOptions& options = {});

}  // namespace vpngw::dataplane::test
