// The CHILD_SA of a tunnel: offering it (SA, TSi, TSr, inside IKE_AUTH or
// CREATE_CHILD_SA), choosing from an offer as responder (proposal and
// RFC 7296 §2.9 narrowing), and installing it in the dataplane: inbound
// first, then the outbound switch, so the peer's first packet under the
// new SA already finds it.
#pragma once

#include <optional>
#include <vector>

#include "ike/crypto/key_derivation.hpp"
#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

// SA (with a fresh inbound SPI, kept in sa.child_spi_offered), TSi, TSr:
// the locals and peers of `pairs`.
std::vector<Payload> child_offer(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                 bool with_pfs_group, const std::vector<SpdPair>& pairs);

// The pairs IKE_AUTH offers: the largest rectangle of SPD pairs around
// sa.first_pair (or the tunnel's first pair).
std::vector<SpdPair> initial_pairs(const IkeSa& sa, const TunnelConfig& config);

// Whether an installed (or rekeying) CHILD_SA of the SA serves `pair`.
bool pair_covered(const IkeSa& sa, const SpdPair& pair);

// Initiator: the child part of the response. Installs the CHILD_SA and
// sets sa.child_up, or sets sa.failure (phase 2) and returns false.
// `nonce_i`/`nonce_r`: the exchange's nonces; `pfs_secret` its g^ir if any.
bool child_response(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                    const Message& response, ByteView nonce_i, ByteView nonce_r,
                    ByteView pfs_secret, bool pfs_applies);

// Responder: the child part of the answer (SA, TSi, TSr) after installing
// the CHILD_SA, or an error notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE)
// with sa.failure set to phase 2.
std::vector<Payload> child_respond(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                   const Message& request, ByteView nonce_i, ByteView nonce_r,
                                   ByteView pfs_secret, bool pfs_applies);

// Installs `child` with keys from KEYMAT; `exchange_initiator`: we sent the
// request that created it (its "_i" keys are then our outbound keys). The
// inbound SA goes first; the outbound switch follows at once, or, with
// `outbound_now` false (the responder of a rekey), is registered in the
// child for install_pending_outbound().
bool install_child(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config, ChildSa child,
                   const ChildKeys& keys, bool exchange_initiator, bool outbound_now = true);

// Switches the tunnel's outbound SA to a child's registered one.
bool install_pending_outbound(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                              ChildSa& child);

// Re-installs the outbound SA of an installed child with the SA's current
// addresses (a NATed peer moved).
bool reinstall_outbound(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config, ChildSa& child);

// Removes a CHILD_SA's SAs from the dataplane at once and logs it.
void uninstall_child(EngineContext& ctx, IkeSa& sa, const ChildSa& child);

// A rekeyed or deleted CHILD_SA: its outbound SA goes now (if the tunnel
// still uses it), its inbound SA after old_sa_grace (sa.retiring).
void retire_child(EngineContext& ctx, IkeSa& sa, const ChildSa& child);

// Narrowed selectors for a CHILD_SA request: TSi is the peer's side.
bool narrow_request(const Message& request, const TunnelConfig& config, ChildSa& child,
                    std::string* why);

// A fresh CHILD_SA's rekey and expiry times from the policy lifetime.
void set_lifetimes(EngineContext& ctx, ChildSa& child, const TunnelConfig& config);

std::string hex_spi(uint32_t spi);

}  // namespace vpngw::ike
