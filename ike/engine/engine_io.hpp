// What the IKE engine needs from the outside world, as narrow interfaces so
// the engine stays plain, single-threaded, testable C++: datagrams out, SAs
// into the dataplane, connection events to the control plane. The daemon
// implements them on the dataplane's punt ring / control TX path and on the
// SA tables (control/ike_runtime.*); tests implement them with fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "control/model.hpp"
#include "dataplane/sa_params.hpp"
#include "ike/bytes.hpp"

namespace vpngw::ike {

// Monotonic time, passed in by the caller of every engine entry point: the
// engine never reads a clock itself, so tests drive time by hand.
using EngineClock = std::chrono::steady_clock;
using TimePoint = EngineClock::time_point;

struct Endpoint {
  Ipv4Addr address;
  uint16_t port = 500;
  bool operator==(const Endpoint&) const = default;
};

// One IKE datagram. `bytes` is the IKE message alone: the transport strips
// the four-byte non-ESP marker of port 4500 on receive and adds it on send
// whenever either port is not 500.
struct Datagram {
  Endpoint local;   // our address (a gateway's public IP) and port
  Endpoint remote;  // the peer's, as seen on the wire (after any NAT)
  Bytes bytes;
};

class PacketSender {
 public:
  virtual ~PacketSender() = default;
  virtual void send(const Datagram& datagram) = 0;
  // RFC 3948 NAT keepalive: a single 0xFF byte from local (port 4500).
  virtual void send_keepalive(const Endpoint& local, const Endpoint& remote) = 0;
};

struct SaUsage {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

// One (local CIDR, peer CIDR) pair of a tunnel's SPD rules: the unit the
// dataplane's SPD points at an outbound SA slot, and what a Cisco-style
// peer negotiates one CHILD_SA for.
struct SpdPair {
  Cidr local;
  Cidr peer;
  auto operator<=>(const SpdPair&) const = default;
  bool operator==(const SpdPair&) const = default;
  std::string str() const { return local.str() + " === " + peer.str(); }
};

// The only door to the dataplane (cf. strongSwan's kernel_ipsec_t). Each SPD
// pair of a tunnel has one outbound SA at a time; one outbound SA may serve
// several pairs (a CHILD_SA whose selectors cover them): it is then one
// object (one sequence counter) in several slots. A tunnel may have several
// inbound SAs (one per CHILD_SA, old and new during a rekey).
// SaParams::sa_id is the installer's business: the engine leaves it 0.
class SaInstaller {
 public:
  virtual ~SaInstaller() = default;
  // A fresh inbound SPI (>= 256) that is not in use on this appliance.
  virtual uint32_t allocate_spi() = 0;
  // Installs an inbound SA, found by (params.spi, params.tunnel_dst).
  virtual bool add_inbound(const std::string& tunnel_id, const dataplane::SaParams& params,
                           std::string* error) = 0;
  // Makes `params` the outbound SA of each of `pairs` (one object for all),
  // replacing what each pair used: the make-before-break switch of a rekey,
  // atomic per pair. Pairs no longer in the tunnel's SPD are skipped; none
  // left is an error.
  virtual bool set_outbound(const std::string& tunnel_id, const std::vector<SpdPair>& pairs,
                            const dataplane::SaParams& params, std::string* error) = 0;
  virtual void remove_inbound(const std::string& tunnel_id, uint32_t spi) = 0;
  // Removes the outbound SA of each of `pairs` that still uses `spi`.
  virtual void remove_outbound(const std::string& tunnel_id, const std::vector<SpdPair>& pairs,
                               uint32_t spi) = 0;
  // Traffic an inbound SA has accepted so far (DPD: recent traffic = alive).
  virtual SaUsage inbound_usage(const std::string& tunnel_id, uint32_t spi) = 0;
};

// Connection state and the per-tunnel connection log, towards the control
// plane. Log lines never contain keys or PSKs; the sink adds timestamps.
class TunnelObserver {
 public:
  virtual ~TunnelObserver() = default;
  // `reason` is empty for connecting/connected, else why it failed.
  virtual void on_connection(const std::string& tunnel_id, ConnectionStatus status,
                             const std::string& reason) = 0;
  virtual void on_log(const std::string& tunnel_id, const std::string& line) = 0;
};

}  // namespace vpngw::ike
