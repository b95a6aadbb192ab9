// The IKEv2 engine: every IKE SA of the appliance, driven by the tunnels'
// configuration, on the control thread. The daemon feeds it datagrams,
// dataplane events and the clock; it answers through engine_io.hpp's
// interfaces. docs/ike.md ("The engine") has the design.
//
// This interface is what the daemon (control/ike_runtime.*) codes against:
// keep it stable; add to it rather than change it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/model.hpp"
#include "ike/crypto/random.hpp"
#include "ike/engine/engine_io.hpp"

namespace vpngw::ike {

struct EngineSettings {
  // Retransmission of one request: timeout * backoff^n, `tries` sends in all.
  std::chrono::milliseconds retransmit_timeout{2000};
  double retransmit_backoff = 1.8;
  uint32_t retransmit_tries = 4;
  // PRODUCT.md: a failed negotiation is retried 3 times, then the status
  // shows phaseN_failed and it is retried every 12 s.
  uint32_t negotiation_retries = 3;
  std::chrono::seconds failed_retry_interval{12};
  // Rekey at lifetime * (rekey_fraction - random jitter up to rekey_jitter).
  double rekey_fraction = 0.9;
  double rekey_jitter = 0.05;
  // Old inbound SAs stay this long after a rekey, for packets in flight.
  std::chrono::milliseconds old_sa_grace{3000};
  std::chrono::seconds nat_keepalive{20};
  // Cookies (RFC 7296 2.6) once this many half-open SAs exist; cap per peer.
  uint32_t cookie_threshold = 64;
  uint32_t half_open_per_peer = 16;
};

struct EngineCounters {
  uint64_t received = 0;
  uint64_t sent = 0;
  uint64_t retransmits = 0;
  uint64_t malformed = 0;       // unparsable or inconsistent messages, dropped
  uint64_t auth_failed = 0;     // bad ICV or bad AUTH (e.g. wrong PSK)
  uint64_t no_proposal = 0;     // NO_PROPOSAL_CHOSEN sent or received
  uint64_t unknown_spi = 0;     // messages for IKE SAs we do not have
  uint64_t invalid_spi_sent = 0;        // INVALID_IKE_SPI answers to such requests
  uint64_t invalid_spi_suppressed = 0;  // ... not sent (rate limit)
  uint64_t cookies_sent = 0;
};

struct ChildSaStatus {
  std::string state;  // "installed", "rekeying", "deleting"
  uint32_t spi_in = 0;
  uint32_t spi_out = 0;
  std::string algorithms;  // e.g. "AES_CBC_128/HMAC_SHA1_96/MODP_1024" (PFS group if any)
  std::vector<std::string> local_ts;
  std::vector<std::string> remote_ts;
  // The tunnel's SPD pairs it carries ("10.1.0.0/24 === 172.16.0.0/24").
  std::vector<std::string> pairs;
  bool udp_encap = false;
  int64_t established_s = 0;  // seconds since installed
  int64_t rekey_in_s = 0;     // seconds until the rekey starts
  int64_t expires_in_s = 0;   // seconds until the hard lifetime
};

struct TunnelIkeStatus {
  // "idle" (nothing yet / respond-only waiting), "connecting", "established",
  // "rekeying", "deleting", "failed".
  std::string ike_state = "idle";
  bool initiator = false;
  uint64_t spi_i = 0;
  uint64_t spi_r = 0;
  std::string algorithms;  // e.g. "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
  Endpoint local;
  Endpoint remote;
  bool nat_local = false;   // we are behind a NAT
  bool nat_remote = false;  // the peer is
  int64_t established_s = 0;
  int64_t rekey_in_s = 0;
  uint32_t attempts = 0;    // failed negotiations since the last success
  std::string last_error;
  std::vector<ChildSaStatus> children;
};

class IkeEngine {
 public:
  struct Deps {
    PacketSender& sender;
    SaInstaller& installer;
    TunnelObserver& observer;
    RandomSource& random;
  };
  IkeEngine(Deps deps, EngineSettings settings = {});
  ~IkeEngine();
  IkeEngine(const IkeEngine&) = delete;
  IkeEngine& operator=(const IkeEngine&) = delete;

  // The configuration now: for each tunnel (with its gateway and customer
  // gateway from `state`) a new tunnel starts per its start action; a tunnel
  // whose PSK, policies, identities, SPD or addresses changed reconnects; a
  // deleted tunnel sends Delete and removes its SAs. Idempotent.
  void configure(const ResourceSnapshot& state, TimePoint now);
  // An IKE datagram received on one of our gateway addresses.
  void on_datagram(const Datagram& datagram, TimePoint now);
  // start_action=trap: the dataplane saw traffic for a tunnel with no SA.
  void on_acquire(const std::string& tunnel_id, TimePoint now);
  // The same for one SPD pair of the tunnel (the dataplane's per-pair slot
  // flagged): with no IKE SA, IKE_AUTH's CHILD_SA is built around the pair;
  // with one, the pair gets its own CREATE_CHILD_SA unless a CHILD_SA
  // serves it already.
  void on_acquire(const std::string& tunnel_id, const SpdPair& pair, TimePoint now);
  // The dataplane's lifetime events for an SA of a tunnel (soft: rekey now;
  // hard: the SA is gone).
  void on_sa_expired(const std::string& tunnel_id, uint32_t spi, bool inbound, bool hard,
                     TimePoint now);
  // Runs every timer due at `now`: retransmits, retries, DPD, rekeys,
  // keepalives, deferred deletes of old SAs.
  void tick(TimePoint now);
  // When tick() next has work (the daemon may call it more often).
  std::optional<TimePoint> next_timer() const;

  std::optional<TunnelIkeStatus> status(const std::string& tunnel_id, TimePoint now) const;
  EngineCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vpngw::ike
