// A negotiated CHILD_SA as the dataplane's SaParams: policy algorithms to
// ESP algorithms, keys copied into the fixed arrays (GCM keys carry their
// salt already), the outer addresses and NAT-T ports, the selectors as
// CIDRs. The dataplane validates again (validate_sa_params) when it installs.
#pragma once

#include <string>
#include <vector>

#include "common/net.hpp"
#include "dataplane/sa_params.hpp"
#include "ike/bytes.hpp"
#include "ike/suite.hpp"

namespace vpngw::ike {

// Whether the dataplane implements the suite (its ESP integrity stops at
// HMAC-SHA2-256-128); make_sa_params must not be called otherwise.
bool dataplane_supports(const EspSuite& suite);

dataplane::EspCipher esp_cipher(Cipher cipher);
dataplane::EspIntegrity esp_integrity(std::optional<Integrity> integrity);

struct ChildSaSide {
  uint32_t spi = 0;
  ByteView encryption_key;  // + salt with GCM
  ByteView integrity_key;   // empty with GCM
};

struct ChildSaAddressing {
  Ipv4Addr gateway_ip;   // our public address
  Ipv4Addr peer_ip;      // the peer's, as seen (after NAT)
  bool udp_encap = false;
  uint16_t our_port = 4500;
  uint16_t peer_port = 4500;
};

// `local`/`peer`: the negotiated selectors on our side and the peer's.
dataplane::SaParams make_sa_params(dataplane::SaDirection direction, const EspSuite& suite,
                                   const ChildSaSide& keys, const ChildSaAddressing& addressing,
                                   const std::vector<Cidr>& local, const std::vector<Cidr>& peer,
                                   uint64_t lifetime_kb);

// "AES_CBC_128/HMAC_SHA1_96" (+ "/MODP_1024" with PFS, "/ESN").
std::string describe(const EspSuite& suite);
std::string describe(const IkeSuite& suite);

}  // namespace vpngw::ike
