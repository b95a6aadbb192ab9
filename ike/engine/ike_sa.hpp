// One IKE SA: its SPIs and role, the negotiated suite and keys, the
// IKE_SA_INIT messages its AUTH payloads sign, the peer's address and NAT
// state, its CHILD_SAs (one or more per tunnel, each serving some of its SPD
// pairs) and its message-ID windows (one
// request in flight each way; task_manager.hpp drives them). Plain data
// owned by the engine; tasks (tasks/) fill it in exchange by exchange.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/crypto/dh.hpp"
#include "ike/crypto/key_derivation.hpp"
#include "ike/engine/engine_context.hpp"
#include "ike/engine/engine_io.hpp"
#include "ike/suite.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

class Task;
struct TunnelConfig;

enum class IkeState : uint8_t {
  connecting,   // IKE_SA_INIT / IKE_AUTH under way
  established,  // authenticated
  deleting,     // our Delete is in flight
  dead,         // to be removed by the engine
};

std::string_view name_of(IkeState state);

struct ChildSa {
  uint32_t spi_in = 0;   // ours: the peer sends to it
  uint32_t spi_out = 0;  // the peer's
  EspSuite suite;
  std::vector<TrafficSelector> local_ts;   // our side, as negotiated
  std::vector<TrafficSelector> remote_ts;  // the peer's side
  // The tunnel's SPD pairs these selectors serve: their dataplane slots
  // point at this CHILD_SA's outbound SA.
  std::vector<SpdPair> pairs;
  bool udp_encap = false;
  std::string state = "installed";  // "installed", "rekeying", "rekeyed", "deleting"
  TimePoint installed_at{};
  TimePoint rekey_at{};
  TimePoint expire_at{};
  // Inbound traffic counter seen at the last DPD check.
  uint64_t last_inbound_packets = 0;
  // Rekeying: the CHILD_SA this one replaces (its spi_in), and, as the
  // responder of the rekey, the keys of the new outbound SA, registered
  // but not yet switched to: that waits for the initiator's Delete of the
  // old SA (so the initiator's new inbound SA surely exists), or until
  // outbound_deadline at the latest.
  // Its keys, guarded, for re-installing the outbound SA when a NATed
  // peer's address changes; "_i" keys are ours to send with when
  // keys_initiator (we started the exchange that made it).
  std::optional<ChildKeys> keys;
  bool keys_initiator = false;
  uint32_t rekey_of = 0;
  Bytes lowest_nonce;  // of the exchange that made it (rekey collisions, RFC 7296 §2.8.1)
  std::optional<ChildKeys> pending_outbound;
  bool pending_outbound_initiator = false;
  TimePoint outbound_deadline{};
};

// An inbound SA kept after its CHILD_SA was rekeyed or deleted, for the
// packets still in flight under its SPI (old_sa_grace).
struct RetiringInbound {
  uint32_t spi = 0;
  TimePoint remove_at{};
};

// A request we sent and keep for retransmission until its response arrives.
struct OutstandingRequest {
  uint32_t message_id = 0;
  ExchangeType exchange = ExchangeType::ike_sa_init;
  Bytes datagram;
  uint32_t sends = 0;  // how many times it went out
  TimePoint next_send{};
};

// The last response we sent, for retransmitted requests (RFC 7296 §2.1).
struct CachedResponse {
  uint32_t message_id = 0;
  Bytes datagram;
};

// Why a negotiation failed, for the tunnel's status: phase 1 (IKE SA) or
// phase 2 (CHILD_SA), and the log's explanation.
struct SaFailure {
  int phase = 1;
  std::string reason;
  bool dead_peer = false;  // an established SA's request went unanswered
};

struct IkeSa {
  IkeSa();
  ~IkeSa();
  IkeSa(const IkeSa&) = delete;
  IkeSa& operator=(const IkeSa&) = delete;

  uint64_t spi_i = 0;
  uint64_t spi_r = 0;
  bool initiator = false;  // the original initiator
  uint64_t our_spi() const { return initiator ? spi_i : spi_r; }

  // The tunnel this SA belongs to; empty while a responder has not yet
  // seen IDi and several respond-only tunnels could take it (candidates).
  std::string tunnel_id;
  std::vector<std::string> candidates;
  std::vector<std::string> pending_log;  // lines logged before tunnel_id was known

  IkeState state = IkeState::connecting;
  Endpoint local;   // our address and port (500, or 4500 after NAT detection)
  Endpoint remote;  // the peer's, as seen
  bool nat_local = false;   // we are behind a NAT
  bool nat_remote = false;  // the peer is
  bool nat() const { return nat_local || nat_remote; }

  IkeSuite suite;
  std::optional<IkeKeys> keys;
  Bytes ni;
  Bytes nr;
  std::unique_ptr<DiffieHellman> dh;
  Bytes cookie;            // initiator: the COOKIE the responder asked for
  Bytes our_init_message;  // the IKE_SA_INIT message we sent (our AUTH signs it)
  Bytes peer_init_message; // the one the peer sent (its AUTH signs it)
  uint32_t child_spi_offered = 0;  // initiator: our inbound SPI proposed in IKE_AUTH
  // Initiator: the pair IKE_AUTH's CHILD_SA is built around (a trap's
  // acquired pair; else the tunnel's first).
  std::optional<SpdPair> first_pair;
  // Pairs no CHILD_SA serves get one each (CREATE_CHILD_SA, one pair per
  // request): those queued or in flight, when to look for uncovered pairs
  // next, and per pair when a failed attempt may be repeated.
  std::vector<SpdPair> pairs_pending;
  TimePoint fill_at = TimePoint::max();
  std::vector<std::pair<SpdPair, TimePoint>> pair_retry_at;

  // Our requests (initiator of exchanges).
  uint32_t next_message_id = 0;
  std::optional<OutstandingRequest> outstanding;
  std::unique_ptr<Task> active;
  std::deque<std::unique_ptr<Task>> queue;
  // The peer's requests.
  uint32_t peer_next_message_id = 0;
  std::optional<CachedResponse> cached_response;

  std::vector<ChildSa> children;
  std::vector<RetiringInbound> retiring;

  TimePoint created_at{};
  TimePoint established_at{};
  TimePoint last_received{};  // any authenticated message from the peer
  std::optional<TimePoint> dpd_sent_at;  // our liveness check in flight
  TimePoint last_keepalive{};            // NAT keepalives when we are behind a NAT

  // Outcomes the engine acts on after each call into the SA's tasks.
  std::optional<SaFailure> failure;  // the negotiation failed: close the SA
  bool child_up = false;             // a CHILD_SA was installed: tunnel connected
  bool peer_deleted = false;         // the peer deleted this IKE SA
  // An IKE SA rekey made this SA's successor (its CHILD_SAs moved there);
  // the engine takes it over and this SA is deleted.
  std::unique_ptr<IkeSa> rekeyed_to;
  uint64_t successor_spi = 0;  // our SPI of the SA that replaced this one
  TimePoint rekey_at = TimePoint::max();  // when to rekey the IKE SA itself
  // The IKE SA's hard lifetime (ike.lifetime_s after it was established):
  // if its rekey never completes it is closed then and the tunnel reconnects.
  TimePoint expire_at = TimePoint::max();
  bool children_deleted_by_peer = false;  // the peer deleted the last CHILD_SA
};

// Log a line to the SA's tunnel (or hold it until the tunnel is known).
void sa_log(EngineContext& ctx, IkeSa& sa, const std::string& line);

// "IKE_SA[1a2b3c4d5e6f7081_i 9f8e7d6c5b4a3928_r]" for logs.
std::string describe_spis(const IkeSa& sa);

}  // namespace vpngw::ike
