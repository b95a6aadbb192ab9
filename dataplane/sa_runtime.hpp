// The SA objects the packet path reads: built once from SaParams on the
// control thread (keys expanded, HMAC pads and GCM tables precomputed, outer
// header prebuilt), then used by exactly one worker, which alone writes the
// sequence number, replay window, counters and lifetime flags.
//
// Layout: read-mostly fields first (two cache lines), then the lines the
// owning worker writes, then the key material IPsec-MB reads. Other threads
// only read counters and the event flags (relaxed atomics, see SaCounter).
// An SA object is never modified after install except by its worker; a
// rekey installs a new object (IPsec-MB may crash on a key schedule that
// changes under a job, intel-ipsec-mb issue #160).
#pragma once

#include <intel-ipsec-mb.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/anti_replay.hpp"
#include "dataplane/drop_reason.hpp"
#include "dataplane/imb_manager.hpp"
#include "dataplane/sa_params.hpp"

namespace vpngw::dataplane {

inline constexpr size_t kCacheLine = 64;

// A counter with one writer (the owning worker) and any number of readers.
// Load + store rather than fetch_add: there is one writer, so the update
// needs no locked instruction; relaxed order suffices because readers only
// want a recent value, not one ordered with other memory.
class SaCounter {
 public:
  void add(uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Lifetime and sequence events, raised once by the worker, read by the
// control thread to trigger a rekey (soft) or removal (hard, exhausted).
enum SaEvent : uint8_t {
  kSaSoftLifetime = 1,  // 90 % of a byte/packet limit: time to rekey
  kSaHardLifetime = 2,  // a limit reached: the SA drops everything
  kSaSeqExhausted = 4,  // outbound: no sequence number left
};
inline constexpr uint8_t kSaStopped = kSaHardLifetime | kSaSeqExhausted;

struct LifetimeLimits {
  uint64_t soft_bytes = UINT64_MAX;
  uint64_t hard_bytes = UINT64_MAX;
  uint64_t soft_packets = UINT64_MAX;
  uint64_t hard_packets = UINT64_MAX;
};

// The worker-written part common to both directions.
struct alignas(kCacheLine) SaUsage {
  SaCounter packets;
  SaCounter bytes;  // inner IPv4 bytes
  std::atomic<uint8_t> events{0};
  alignas(kCacheLine) std::array<SaCounter, kDropReasonCount> drops;

  bool stopped() const noexcept { return events.load(std::memory_order_relaxed) & kSaStopped; }
  void raise(uint8_t event) noexcept {
    // Single writer: read-modify-write without a locked instruction.
    events.store(events.load(std::memory_order_relaxed) | event, std::memory_order_relaxed);
  }
  void drop(DropReason why) noexcept { drops[index_of(why)].add(1); }
  // Counts one packet of `inner_bytes` and raises lifetime events.
  void account(uint32_t inner_bytes, const LifetimeLimits& limits) noexcept {
    packets.add(1);
    bytes.add(inner_bytes);
    const uint64_t p = packets.get();
    const uint64_t b = bytes.get();
    if (p >= limits.soft_packets || b >= limits.soft_bytes) [[unlikely]] {
      uint8_t ev = kSaSoftLifetime;
      if (p >= limits.hard_packets || b >= limits.hard_bytes) ev |= kSaHardLifetime;
      raise(ev);
    }
  }
};

// Expanded keys, laid out as IPsec-MB wants them (16-byte aligned
// schedules, 64-byte aligned GCM key data). Wiped when the SA dies.
struct alignas(kCacheLine) SaKeys {
  union {
    struct {
      alignas(16) std::array<uint32_t, 60> enc;  // up to 15 round keys (AES-256)
      alignas(16) std::array<uint32_t, 60> dec;
    } aes;
    struct {
      alignas(16) std::array<std::array<uint64_t, 16>, 3> schedule;  // K1, K2, K3
    } des;
    gcm_key_data gcm;
  };
  // 3DES jobs take an array of three schedule pointers.
  std::array<const void*, 3> des_schedules{};
  alignas(16) std::array<uint8_t, 32> ipad{};  // hash state after key ^ 0x36
  alignas(16) std::array<uint8_t, 32> opad{};  // hash state after key ^ 0x5c
};

// The IPsec-MB job fields fixed for the SA's lifetime.
struct JobTemplate {
  const void* enc_keys = nullptr;
  const void* dec_keys = nullptr;
  const uint8_t* ipad = nullptr;
  const uint8_t* opad = nullptr;
  uint8_t key_len = 0;      // IMB key_len_in_bytes
  uint8_t cipher_mode = 0;  // IMB_CIPHER_MODE
  uint8_t hash_alg = 0;     // IMB_HASH_ALG
  uint8_t iv_len = 0;       // on the wire
  uint8_t icv_len = 0;
  uint8_t block_len = 0;  // payload alignment (4 for GCM)
  bool gcm = false;
  bool esn = false;
  std::array<uint8_t, 4> salt{};  // GCM nonce prefix (RFC 4106)
};
static_assert(sizeof(JobTemplate) <= 48);

inline constexpr size_t kEspHeaderLen = 8;
inline constexpr size_t kIpv4HeaderLen = 20;
inline constexpr size_t kUdpHeaderLen = 8;

class alignas(kCacheLine) OutboundSa {
 public:
  // --- read-mostly, line 0 ---
  JobTemplate job;
  uint32_t spi_be = 0;     // network byte order
  uint16_t id_salt = 0;    // randomises outer IPv4 IDs across SAs
  uint8_t outer_len = 0;   // IPv4 (+ UDP)
  uint8_t header_len = 0;  // outer + ESP header + IV: bytes prepended
  uint32_t csum_base = 0;  // ones'-complement sum of the fixed outer words
  bool udp_encap = false;
  // --- read-mostly, line 1 ---
  alignas(kCacheLine) std::array<uint8_t, kIpv4HeaderLen + kUdpHeaderLen> outer_template{};
  uint32_t sa_id = 0;
  uint64_t gcm_iv_base = 0;  // GCM IV = base + seq: unique per SA, random per install
  uint64_t max_seq = 0;      // 2^32 - 1, or 2^64 - 1 with ESN

  // --- written by the owning worker ---
  alignas(kCacheLine) std::atomic<uint64_t> seq{0};  // last sequence number used
  LifetimeLimits limits;  // read-only, kept next to what it is compared with
  SaUsage usage;

  // --- key material ---
  SaKeys keys;

  OutboundSa() = default;
  ~OutboundSa();
  OutboundSa(const OutboundSa&) = delete;
  OutboundSa& operator=(const OutboundSa&) = delete;
};

// Host-order network/mask pair, pre-masked, for the inner selector check.
struct SelectorPrefix {
  uint32_t network = 0;
  uint32_t mask = 0;
  bool contains(uint32_t addr) const noexcept { return (addr & mask) == network; }
};

class alignas(kCacheLine) InboundSa {
 public:
  // --- read-mostly ---
  JobTemplate job;
  uint32_t spi_be = 0;
  uint32_t sa_id = 0;
  bool replay_check = false;  // window > 0 or ESN (the window infers the high half)
  LifetimeLimits limits;
  uint8_t local_count = 0;
  uint8_t peer_count = 0;

  // --- written by the owning worker ---
  ReplayWindow replay;
  SaUsage usage;

  // --- read on the selector check, after decryption ---
  std::array<SelectorPrefix, kMaxLocalSelectors> local{};
  std::array<SelectorPrefix, kMaxPeerSelectors> peer{};

  // --- key material ---
  SaKeys keys;

  InboundSa() = default;
  ~InboundSa();
  InboundSa(const InboundSa&) = delete;
  InboundSa& operator=(const InboundSa&) = delete;

  bool selectors_match(uint32_t inner_src, uint32_t inner_dst) const noexcept;
};

// The lines of an SA every packet touches, prefetched when the SA is found
// so that a burst spread over many SAs waits for their cache misses at once,
// not one SA after the other (docs/performance.md, the scale cases): the
// read-mostly header, the worker-written lines, and the first line of each
// key IPsec-MB reads (cipher schedule or GCM key, HMAC pads).
inline void prefetch_sa(const OutboundSa* sa) noexcept {
  __builtin_prefetch(sa);
  __builtin_prefetch(&sa->outer_template);
  __builtin_prefetch(&sa->seq, 1);
  __builtin_prefetch(&sa->keys);
  __builtin_prefetch(&sa->keys.ipad);
}
inline void prefetch_sa(const InboundSa* sa) noexcept {
  __builtin_prefetch(sa);
  __builtin_prefetch(&sa->replay, 1);
  __builtin_prefetch(&sa->usage, 1);
  // Both key starts (GCM's, and CBC's decryption schedule): choosing would
  // read the SA, a demand miss that serialises the burst's SAs again.
  __builtin_prefetch(&sa->keys);
  __builtin_prefetch(&sa->keys.aes.dec);
  __builtin_prefetch(&sa->keys.ipad);
  __builtin_prefetch(&sa->local);  // the selector check after decryption
  __builtin_prefetch(&sa->peer);
}

// The packet path depends on these placements; a careless new field must
// not push the hot fields apart or share the worker-written line.
static_assert(offsetof(OutboundSa, seq) == 2 * kCacheLine);
static_assert(offsetof(OutboundSa, seq) % kCacheLine == 0);
static_assert(offsetof(OutboundSa, keys) % kCacheLine == 0);
static_assert(offsetof(InboundSa, replay) <= 2 * kCacheLine);
static_assert(offsetof(InboundSa, replay) % kCacheLine == 0);
static_assert(offsetof(InboundSa, keys) % kCacheLine == 0);
static_assert(offsetof(SaUsage, drops) == kCacheLine);

// Builds the runtime SA: validates the parameters (validate_sa_params plus
// the direction), expands keys with `key_mgr` (the control thread's own
// manager). Returns null with the reason in `error`. Control path only.
std::unique_ptr<OutboundSa> make_outbound_sa(const SaParams& params, const ImbManager& key_mgr,
                                             std::string* error);
std::unique_ptr<InboundSa> make_inbound_sa(const SaParams& params, const ImbManager& key_mgr,
                                           std::string* error);

}  // namespace vpngw::dataplane
