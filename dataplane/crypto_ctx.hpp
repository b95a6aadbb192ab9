// A worker's crypto context: its IPsec-MB managers, the per-packet scratch of
// jobs in flight, and its CBC IV generator. One per worker, created on the
// worker's own thread before it starts polling (so its memory is local to
// that core); never shared, so nothing in it is locked or atomic.
//
// Each direction has its own queue (its own IMB_MGR): IPsec-MB returns jobs
// strictly in submission order, so a decrypt queued behind encrypts waiting
// for multi-buffer lanes to fill would wait with them; with one queue per
// direction neither blocks the other, and each finished job is known to be
// of its queue's direction.
//
// A queue may keep jobs in flight between calls ("streaming"): IPsec-MB's
// multi-buffer code runs 8-16 lanes of CBC or HMAC at once and a flush runs
// part-empty lanes; see docs/dataplane.md for the measured cost. Packets in
// flight keep pointers to their SA, so a worker flushes both queues before
// it reports an RCU quiescent state.
#pragma once

#include <intel-ipsec-mb.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dataplane/drop_reason.hpp"
#include "dataplane/imb_manager.hpp"
#include "dataplane/iv_generator.hpp"

namespace vpngw::dataplane {

// Largest burst one call takes (DPDK bursts are usually 32).
inline constexpr uint16_t kMaxBurst = 64;
// Jobs a queue keeps in flight at most; IPsec-MB's queue holds 256, and
// staying well below keeps a whole burst always placeable.
inline constexpr uint32_t kMaxInFlight = 128;

// The scratch of one packet between submit and completion. Lives in the
// queue, never in the SA: several packets of one SA are in flight at once.
struct alignas(64) CryptoOp {
  rte_mbuf* pkt;
  void* sa;              // OutboundSa* or InboundSa*, by queue
  uint64_t seq;          // full (64-bit) sequence number
  uint16_t esp_offset;   // inbound: ESP header offset from the packet start
  uint16_t payload_len;  // encrypted payload (inner packet + padding + 2)
  // 16 bytes though 12 are used: vector code may load whole blocks.
  std::array<uint8_t, 16> nonce;  // GCM: salt || IV
  std::array<uint8_t, 16> aad;    // GCM: SPI || [seq high] || seq low
  std::array<uint8_t, 16> icv_received;
  std::array<uint8_t, 16> icv_computed;
};
static_assert(sizeof(CryptoOp) == 2 * 64, "two cache lines per packet in flight");

// What one call finished: pkts[0, n_good) continue, sas[i] naming each
// one's SA (OutboundSa* or InboundSa*, by queue: a streaming caller no
// longer knows which of its earlier packets these are); pkts[n_good, n) are
// dropped, why[i] saying why. The arrays belong to the queue and stay valid
// until its next call.
struct FinishedBurst {
  rte_mbuf* const* pkts;
  void* const* sas;
  const DropReason* why;
  uint16_t n_good;
  uint16_t n;
};

class CryptoQueue {
 public:
  CryptoQueue(std::unique_ptr<ImbManager> mgr, bool check_jobs) noexcept
      : mgr_(std::move(mgr)), check_jobs_(check_jobs) {}
  CryptoQueue(const CryptoQueue&) = delete;
  CryptoQueue& operator=(const CryptoQueue&) = delete;

  IMB_MGR* mgr() const noexcept { return mgr_->get(); }
  const ImbManager& manager() const noexcept { return *mgr_; }
  uint32_t in_flight() const noexcept { return in_flight_; }

  // One stage call: begin(); then reserve() + fill jobs/ops + submit(), or
  // flush(); then finish(). `bool done(CryptoOp&, bool completed,
  // DropReason& why)` finishes a packet: true passes it on, false drops it
  // for `why`. Packets refused before crypto go to drop() directly.
  void begin() noexcept {
    n_good_ = 0;
    n_bad_ = 0;
  }

  // Job slots for up to n (<= kMaxBurst) packets, in submission order.
  // Completes the oldest jobs first if the queue would exceed kMaxInFlight.
  template <class Done>
  IMB_JOB** reserve(uint32_t n, Done&& done) noexcept {
    if (in_flight_ + n > kMaxInFlight) complete(flush_oldest(in_flight_ + n - kMaxInFlight), done);
    if (IMB_GET_NEXT_BURST(mgr(), n, jobs_.data()) < n) [[unlikely]] {
      // Unreachable while kMaxInFlight + kMaxBurst < IMB_MAX_JOBS; kept so a
      // change of those constants degrades to a flush, not to corruption.
      flush(done);
      IMB_GET_NEXT_BURST(mgr(), n, jobs_.data());
    }
    return jobs_.data();
  }

  // The scratch of the k-th job of the burst being prepared.
  CryptoOp& op(uint32_t k) noexcept { return ops_[(head_ + k) % kRing]; }

  // Submits the first n reserved jobs and finishes those IPsec-MB returns.
  template <class Done>
  void submit(uint32_t n, Done&& done) noexcept {
    if (n == 0) return;
    for (uint32_t k = 0; k < n; ++k) jobs_[k]->user_data = &op(k);
    uint32_t completed;
    if (check_jobs_) {
      completed = IMB_SUBMIT_BURST(mgr(), n, jobs_.data());
      if (completed == 0 && imb_get_errno(mgr()) != 0) [[unlikely]] {
        // The checked submit validates the whole burst before queueing any
        // of it: nothing is in flight, every packet fails.
        for (uint32_t k = 0; k < n; ++k) {
          DropReason why = DropReason::crypto_error;
          if (done(op(k), false, why)) [[unlikely]] why = DropReason::crypto_error;
          drop(op(k).pkt, why);
        }
        return;
      }
    } else {
      completed = IMB_SUBMIT_BURST_NOCHECK(mgr(), n, jobs_.data());
    }
    head_ = (head_ + n) % kRing;
    in_flight_ += n;
    complete({jobs_.data(), completed}, done);
  }

  // Finishes every job in flight.
  template <class Done>
  void flush(Done&& done) noexcept {
    if (in_flight_ != 0) complete(flush_oldest(in_flight_), done);
  }

  void drop(rte_mbuf* m, DropReason why) noexcept {
    bad_[n_bad_] = m;
    bad_why_[n_bad_++] = why;
  }

  // Good packets first, then the dropped ones, as one array.
  FinishedBurst finish() noexcept;

 private:
  static constexpr uint32_t kRing = IMB_MAX_JOBS;
  static constexpr uint32_t kOutCap = kMaxInFlight + kMaxBurst;
  static_assert(kMaxInFlight + kMaxBurst < IMB_MAX_JOBS);
  static_assert(kMaxBurst <= IMB_MAX_BURST_SIZE);

  struct Completed {
    IMB_JOB** jobs;
    uint32_t n;
  };

  Completed flush_oldest(uint32_t n) noexcept {
    return {done_jobs_.data(), IMB_FLUSH_BURST(mgr(), n, done_jobs_.data())};
  }

  template <class Done>
  void complete(Completed c, Done& done) noexcept {
    // Counts in registers, stored once: a member updated per packet would
    // chain every iteration through a store and a reload.
    uint16_t good = n_good_;
    uint16_t bad = n_bad_;
    for (uint32_t k = 0; k < c.n; ++k) {
      IMB_JOB* job = c.jobs[k];
      CryptoOp& op = *static_cast<CryptoOp*>(job->user_data);
      DropReason why{};
      if (done(op, job->status == IMB_STATUS_COMPLETED, why)) [[likely]] {
        good_[good] = op.pkt;
        good_sas_[good++] = op.sa;
      } else {
        bad_[bad] = op.pkt;
        bad_why_[bad++] = why;
      }
    }
    n_good_ = good;
    n_bad_ = bad;
    in_flight_ -= c.n;
  }

  std::unique_ptr<ImbManager> mgr_;
  bool check_jobs_;
  uint32_t head_ = 0;  // ring index of the next job's scratch
  uint32_t in_flight_ = 0;
  uint16_t n_good_ = 0;
  uint16_t n_bad_ = 0;
  std::array<IMB_JOB*, kMaxBurst> jobs_{};
  std::array<IMB_JOB*, kMaxInFlight> done_jobs_{};
  std::array<rte_mbuf*, kOutCap> good_{};
  std::array<void*, kOutCap> good_sas_{};
  std::array<DropReason, kOutCap> why_{};
  std::array<rte_mbuf*, kOutCap> bad_{};
  std::array<DropReason, kOutCap> bad_why_{};
  std::array<CryptoOp, kRing> ops_{};
};

struct CryptoCtxOptions {
  // Validate every job in IPsec-MB before queueing it (tests, debugging);
  // a rejected job drops its packet as crypto_error instead of crashing.
  bool check_jobs = false;
};

class CryptoCtx {
 public:
  // Allocates the managers and seeds the IV generator. Returns null with
  // the reason in `error`. Call on the worker's thread, not per packet.
  static std::unique_ptr<CryptoCtx> create(const CryptoCtxOptions& options, std::string* error);

  CryptoQueue& outbound() noexcept { return outbound_; }
  CryptoQueue& inbound() noexcept { return inbound_; }
  IvGenerator& iv() noexcept { return iv_; }
  std::string_view arch_name() const noexcept { return outbound_.manager().arch_name(); }

 private:
  CryptoCtx(std::unique_ptr<ImbManager> out, std::unique_ptr<ImbManager> in, bool check_jobs)
      : outbound_(std::move(out), check_jobs), inbound_(std::move(in), check_jobs) {}

  CryptoQueue outbound_;
  CryptoQueue inbound_;
  IvGenerator iv_;
};

// Copies a finished burst back over the caller's arrays (the synchronous
// burst contract) and returns its good count.
uint16_t copy_finished(const FinishedBurst& f, rte_mbuf** pkts, DropReason* why) noexcept;

// Runs a synchronous burst function over n packets in chunks of at most
// kMaxBurst. chunk(offset, len) processes pkts[offset, offset + len) in
// place (good first, reasons in why[]) and returns its good count; the
// result keeps the whole array's good packets first, each group in order.
template <class Chunk>
uint16_t run_in_chunks(rte_mbuf** pkts, uint16_t n, DropReason* why, Chunk&& chunk) noexcept {
  uint16_t n_good = 0;
  for (uint16_t off = 0; off < n; off = static_cast<uint16_t>(off + kMaxBurst)) {
    const uint16_t len = std::min<uint16_t>(kMaxBurst, static_cast<uint16_t>(n - off));
    const uint16_t good = chunk(off, len);
    // [earlier good][earlier dropped][this good][this dropped]: swap the
    // middle two; the reasons travel with their packets.
    std::rotate(pkts + n_good, pkts + off, pkts + off + good);
    std::rotate(why + n_good, why + off, why + off + good);
    n_good = static_cast<uint16_t>(n_good + good);
  }
  return n_good;
}

}  // namespace vpngw::dataplane
