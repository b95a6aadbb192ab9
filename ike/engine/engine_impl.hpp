// IkeEngine's private state and the jobs of its implementation, split by
// file: engine.cpp (the public entry points), engine_dispatch.cpp (datagrams
// to IKE SAs, the responder's admission of new ones), engine_lifecycle.cpp
// (tunnels: initiating, outcomes of exchanges, retries, closing, dead
// peers), engine_timers.cpp (per-SA timers: rekeys, DPD, keepalives).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/crypto/secret_bytes.hpp"
#include "ike/engine/connection.hpp"
#include "ike/engine/engine.hpp"
#include "ike/engine/engine_context.hpp"
#include "ike/engine/ike_sa.hpp"
#include "ike/engine/tunnel_config.hpp"
#include "ike/wire/message.hpp"

namespace vpngw::ike {

// A responder SA that never completes IKE_AUTH is dropped after this.
inline constexpr std::chrono::seconds kHalfOpenTimeout{30};

// At most this many unprotected INVALID_IKE_SPI answers a second, in all
// (they are unauthenticated: a flood of bogus requests must not turn the
// gateway into a reflector).
inline constexpr uint32_t kInvalidIkeSpiPerSecond = 10;

struct IkeEngine::Impl {
  Impl(Deps d, EngineSettings s) : deps(d), settings(s), cookie_secret(32) {
    deps.random.fill(cookie_secret.span());
  }

  Deps deps;
  EngineSettings settings;
  EngineCounters counters;
  // RFC 7296 §2.6: COOKIE = prf(secret, Ni | IPi | SPIi), so a responder
  // under load keeps no state for initiators that do not return it.
  SecretBytes cookie_secret;
  std::map<std::string, Connection> tunnels;
  std::map<uint64_t, std::unique_ptr<IkeSa>> sas;  // by our SPI

  EngineContext context(TimePoint now) {
    return EngineContext{
        deps.sender, deps.installer, deps.observer, deps.random, settings, counters, now};
  }

  Connection* connection(const std::string& tunnel_id) {
    auto it = tunnels.find(tunnel_id);
    return it == tunnels.end() ? nullptr : &it->second;
  }

  const TunnelConfig* config_of(const IkeSa& sa) {
    Connection* c = connection(sa.tunnel_id);
    return c == nullptr ? nullptr : &c->config;
  }

  IkeSa* find_sa(uint64_t our_spi) {
    auto it = sas.find(our_spi);
    return it == sas.end() ? nullptr : it->second.get();
  }

  void log(const std::string& tunnel_id, const std::string& line) {
    deps.observer.on_log(tunnel_id, line);
  }

  // Reports a status change (only changes) to the observer.
  void set_status(Connection& c, ConnectionStatus status, const std::string& reason);

  // Lines an SA logged before it knew its tunnel: to the tunnel now, or to
  // every candidate when it never learned which one it was.
  // `final`: the SA is going away.
  void flush_log(IkeSa& sa, bool final);

  // The tunnels an IKE_SA_INIT from `remote` to `local` may belong to: the
  // one with that customer gateway, else the gateway's 0.0.0.0 tunnels.
  std::vector<const TunnelConfig*> candidates(Ipv4Addr local, Ipv4Addr remote);

  // A new IKE SA for the tunnel, IKE_SA_INIT and IKE_AUTH queued; IKE_AUTH's
  // CHILD_SA is built around `first_pair` (a trap's acquired pair) if given.
  void initiate(EngineContext& ctx, Connection& c, std::optional<SpdPair> first_pair = {});

  // Start tunnels: every SPD pair no CHILD_SA of the tunnel's current IKE SA
  // serves gets a CREATE_CHILD_SA of its own (one pair per request, queued),
  // once sa.fill_at has come; pairs that failed wait for their retry time.
  void fill_pairs(EngineContext& ctx, IkeSa& sa, Connection& c);

  // Queues a CREATE_CHILD_SA for `pair` unless a CHILD_SA serves it, one is
  // under way, or its last failure is too recent. True when queued.
  bool request_pair(EngineContext& ctx, IkeSa& sa, Connection& c, const SpdPair& pair);

  // A CHILD_SA left the SA without the peer's Delete (hard lifetime): the
  // peer is told, and its pairs are negotiated again when others remain;
  // the tunnel reconnects when none does.
  void child_lost(EngineContext& ctx, IkeSa& sa, Connection& c, uint32_t spi_in);

  // Closes an SA: its CHILD_SAs leave the dataplane; an authenticated SA
  // tells the peer with a Delete (sent once: the SA is gone either way).
  void close_sa(EngineContext& ctx, IkeSa& sa, bool send_delete);

  // Every SA of the tunnel, with Deletes (removed or changed tunnel).
  void close_tunnel_sas(EngineContext& ctx, const std::string& tunnel_id);

  // PRODUCT.md: 3 quick retries with status connecting, then phaseN_failed
  // and a retry every failed_retry_interval.
  void schedule_retry(EngineContext& ctx, Connection& c, int phase, const std::string& reason);

  // Acts on what the last call into an SA's tasks produced.
  void settle(EngineContext& ctx, IkeSa& sa);

  // Two successors of one IKE SA (both ends rekeyed it): keeps one, moves
  // the CHILD_SAs there, deletes the other if we made it. Returns the kept.
  IkeSa* resolve_ike_rekey_collision(EngineContext& ctx, IkeSa& earlier, IkeSa& fresh);

  // DPD found the peer dead (or a request to it went unanswered): the SAs
  // go, and the tunnel's DPD action decides what follows.
  void dead_peer(EngineContext& ctx, IkeSa& sa, const std::string& why);

  // The timers of an established SA: CHILD_SA rekeys, the responder's
  // registered outbound SA, retiring inbound SAs, DPD and NAT keepalives.
  void sa_timers(EngineContext& ctx, IkeSa& sa);

  // When sa_timers() or the SA's retransmit next has work.
  std::optional<TimePoint> sa_next_timer(const IkeSa& sa) const;

  // Drops SAs marked dead (only between entry points: tasks hold references).
  void remove_dead();

  // RFC 7296 §2.21.4: a request for an IKE SA we do not have (we restarted,
  // or it was deleted) gets an unprotected N(INVALID_IKE_SPI) as a response
  // with its SPIs, exchange type and message ID; rate-limited.
  void answer_invalid_ike_spi(TimePoint now, const Datagram& dg, const Header& request);
  TimePoint invalid_spi_window{};
  uint32_t invalid_spi_in_window = 0;

  // An IKE_SA_INIT answer that creates no state (errors, COOKIE).
  void send_stateless(EngineContext& /*ctx*/, const Datagram& to, const Message& request,
                      std::vector<Payload> payloads, const std::vector<std::string>& log_to);

  // An IKE_SA_INIT request: a retransmit, or a new responder SA.
  void on_init_request(EngineContext& ctx, const Datagram& dg);

  // The COOKIE this initiator must return.
  Bytes cookie_for(const Datagram& dg, const Message& request);

  // Half-open SAs (responder, before IKE_AUTH): a cap per peer address,
  // and above cookie_threshold in all a COOKIE round trip first.
  bool admit_half_open(EngineContext& ctx, const Datagram& dg, const Message& request);

  // Any other message of a known SA: opened, then a response to our task
  // or a request for the responder functions.
  void on_sa_message(EngineContext& ctx, IkeSa& sa, const Datagram& dg, const Header& header);
};

}  // namespace vpngw::ike
