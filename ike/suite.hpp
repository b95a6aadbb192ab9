// The algorithms an IKE SA or a CHILD_SA ended up with after negotiation:
// what key derivation, the SK payload and the dataplane need to know. They
// reuse the policy enums (control/policy.hpp) since every algorithm we
// negotiate is one an operator can configure.
#pragma once

#include <optional>

#include "control/policy.hpp"

namespace vpngw::ike {

struct IkeSuite {
  Cipher encryption = Cipher::aes128;
  Integrity prf = Integrity::sha1;
  std::optional<Integrity> integrity = Integrity::sha1;  // nullopt with AES-GCM
  DhGroup dh = DhGroup::modp1024;
  bool operator==(const IkeSuite&) const = default;
};

struct EspSuite {
  Cipher encryption = Cipher::aes128;
  std::optional<Integrity> integrity = Integrity::sha1;  // nullopt with AES-GCM
  DhGroup pfs = DhGroup::none;  // the group of a KE exchanged with the CHILD_SA, if any
  bool esn = false;
  bool operator==(const EspSuite&) const = default;
};

}  // namespace vpngw::ike
