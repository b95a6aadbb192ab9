#include "dataplane/esp_decap.hpp"

#include <rte_prefetch.h>

#include <cassert>
#include <cstring>

#include "dataplane/esp_wire.hpp"

namespace vpngw::dataplane {

namespace {

constexpr uint8_t kProtoEsp = 50;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kNextHeaderIpv4 = 4;
constexpr uint8_t kNextHeaderNone = 59;     // RFC 4303 §2.6: dummy packet
constexpr uint16_t kFragmentBits = 0x3fff;  // more-fragments flag and offset

DropReason replay_reason(ReplayVerdict v) noexcept {
  return v == ReplayVerdict::replay ? DropReason::replay : DropReason::outside_window;
}

// After authentication: padding, next header, inner header, selectors.
// Returns the inner packet's length, or 0 with `why`.
uint16_t check_plaintext(const InboundSa& sa, const uint8_t* plain, uint32_t payload_len,
                         DropReason& why) noexcept {
  const uint8_t pad_len = plain[payload_len - 2];
  const uint8_t next_header = plain[payload_len - 1];
  if (pad_len + 2u > payload_len) {
    why = DropReason::bad_padding;
    return 0;
  }
  const uint32_t avail = payload_len - 2 - pad_len;
  // RFC 4303 §2.4: the default padding is 1, 2, 3, ...; we only send that
  // and check for it, as the RFC allows a receiver to.
  if (!padding_ok(plain + avail, pad_len)) {
    why = DropReason::bad_padding;
    return 0;
  }
  if (next_header != kNextHeaderIpv4) {
    why = next_header == kNextHeaderNone ? DropReason::dummy_packet : DropReason::bad_next_header;
    return 0;
  }
  if (avail < kIpv4HeaderLen) {
    why = DropReason::bad_inner_header;
    return 0;
  }
  const uint32_t ihl = (plain[0] & 0x0f) * 4u;
  const uint16_t inner_len = load_be16(plain + 2);
  // inner_len < avail is legal: RFC 4303 §2.7 TFC padding follows the packet.
  if ((plain[0] >> 4) != 4 || ihl < kIpv4HeaderLen || inner_len < ihl || inner_len > avail ||
      !ipv4_header_checksum_ok(plain, ihl)) {
    why = DropReason::bad_inner_header;
    return 0;
  }
  if (!sa.selectors_match(load_be32(plain + 12), load_be32(plain + 16))) {
    why = DropReason::selector_mismatch;
    return 0;
  }
  return inner_len;
}

// Finishes one inbound job: verify, advance the window, check, strip.
struct DecapDone {
  bool operator()(CryptoOp& op, bool completed, DropReason& why) const noexcept {
    InboundSa& sa = *static_cast<InboundSa*>(op.sa);
    if (finish(op, sa, completed, why)) [[likely]] return true;
    sa.usage.drop(why);
    return false;
  }

  static bool finish(CryptoOp& op, InboundSa& sa, bool completed, DropReason& why) noexcept {
    if (!completed) [[unlikely]] {
      why = DropReason::crypto_error;
      return false;
    }
    const JobTemplate& t = sa.job;
    if (!icv_equal(op.icv_computed.data(), op.icv_received.data(), t.icv_len)) [[unlikely]] {
      why = DropReason::auth_failed;
      return false;
    }
    if (sa.replay_check) {
      // Another packet of the batch may have taken this number since the
      // pre-check; only now, with the ICV verified, may the window move.
      const ReplayVerdict v = sa.replay.accepts(op.seq);
      if (v != ReplayVerdict::ok) [[unlikely]] {
        why = replay_reason(v);
        return false;
      }
      sa.replay.update(op.seq);
    }
    rte_mbuf* m = op.pkt;
    const uint32_t plain_offset = op.esp_offset + kEspHeaderLen + t.iv_len;
    const uint8_t* plain = rte_pktmbuf_mtod_offset(m, const uint8_t*, plain_offset);
    const uint16_t inner_len = check_plaintext(sa, plain, op.payload_len, why);
    if (inner_len == 0) [[unlikely]] {
      return false;
    }
    rte_pktmbuf_adj(m, static_cast<uint16_t>(plain_offset));
    rte_pktmbuf_trim(m, static_cast<uint16_t>(m->data_len - inner_len));
    sa.usage.account(inner_len, sa.limits);
    return true;
  }
};

// Checks one packet's framing and fills its job. Returns false, with `why`,
// when it cannot be an authentic packet of this SA.
bool prepare(rte_mbuf* m, InboundSa& sa, IMB_JOB& job, CryptoOp& op, DropReason& why) noexcept {
  if (m->nb_segs != 1) [[unlikely]] {
    why = DropReason::chained_mbuf;
    return false;
  }
  uint8_t* ip = rte_pktmbuf_mtod(m, uint8_t*);
  const uint16_t data_len = m->data_len;
  if (data_len < kIpv4HeaderLen || (ip[0] >> 4) != 4) [[unlikely]] {
    why = DropReason::malformed;
    return false;
  }
  const uint32_t ihl = (ip[0] & 0x0f) * 4u;
  const uint16_t ip_len = load_be16(ip + 2);
  uint32_t esp_offset = ihl;
  if (ip[9] == kProtoUdp) esp_offset += kUdpHeaderLen;
  const JobTemplate& t = sa.job;
  // The smallest ESP packet: header, IV, one block of payload, ICV.
  const uint32_t min_esp = kEspHeaderLen + t.iv_len + t.block_len + t.icv_len;
  if (ihl < kIpv4HeaderLen || ip_len > data_len || (ip[9] != kProtoEsp && ip[9] != kProtoUdp) ||
      ip_len < esp_offset + min_esp) [[unlikely]] {
    why = DropReason::malformed;
    return false;
  }
  if ((load_be16(ip + 6) & kFragmentBits) != 0) [[unlikely]] {
    why = DropReason::fragmented;
    return false;
  }
  const uint32_t payload_len = ip_len - esp_offset - kEspHeaderLen - t.iv_len - t.icv_len;
  const bool udp_len_wrong = ip[9] == kProtoUdp && load_be16(ip + ihl + 4) != ip_len - ihl;
  if ((payload_len & (t.block_len - 1u)) != 0 || udp_len_wrong) [[unlikely]] {
    why = DropReason::malformed;
    return false;
  }
  uint8_t* esp = ip + esp_offset;
  if (std::memcmp(esp, &sa.spi_be, 4) != 0) [[unlikely]] {
    why = DropReason::spi_mismatch;
    return false;
  }
  if (sa.usage.stopped()) [[unlikely]] {
    why = DropReason::sa_expired;
    return false;
  }
  const uint32_t seq_low = load_be32(esp + 4);
  uint64_t seq = seq_low;
  if (sa.replay_check) {
    // Pre-check: drop known replays before spending crypto on them. It
    // changes nothing; the window moves only after the ICV verifies.
    const ReplayCheck rc = sa.replay.check(seq_low);
    if (rc.verdict != ReplayVerdict::ok) [[unlikely]] {
      why = replay_reason(rc.verdict);
      return false;
    }
    seq = rc.seq;
  }
  if (data_len > ip_len) rte_pktmbuf_trim(m, static_cast<uint16_t>(data_len - ip_len));

  // The received ICV is saved before anything can overwrite it (ESN, below).
  uint8_t* icv = esp + kEspHeaderLen + t.iv_len + payload_len;
  if (t.icv_len == 16) {
    std::memcpy(op.icv_received.data(), icv, 16);
  } else {
    std::memcpy(op.icv_received.data(), icv, 12);
  }

  set_sa_fields(job, t, IMB_DIR_DECRYPT);
  job.src = esp;
  // IPsec-MB applies the offset to the source only: dst points at the
  // first byte to (de)cipher itself.
  job.dst = esp + kEspHeaderLen + t.iv_len;
  job.cipher_start_src_offset_in_bytes = kEspHeaderLen + t.iv_len;
  job.msg_len_to_cipher_in_bytes = payload_len;
  job.auth_tag_output = op.icv_computed.data();
  if (t.gcm) {
    make_gcm_nonce(op.nonce.data(), t, esp + kEspHeaderLen);
    job.iv = op.nonce.data();
    job.iv_len_in_bytes = IMB_GCM_IV_DATA_LEN;
    job.u.GCM.aad = op.aad.data();
    job.u.GCM.aad_len_in_bytes = make_gcm_aad(op.aad.data(), esp, t.esn, seq);
    job.hash_start_src_offset_in_bytes = job.cipher_start_src_offset_in_bytes;
    job.msg_len_to_hash_in_bytes = payload_len;
  } else {
    job.iv = esp + kEspHeaderLen;
    job.iv_len_in_bytes = t.iv_len;
    job.hash_start_src_offset_in_bytes = 0;
    uint32_t hashed = kEspHeaderLen + t.iv_len + payload_len;
    if (t.esn) {
      // The implicit high half follows the payload for the ICV (RFC 4303
      // §2.2.1): written over the saved ICV's first bytes.
      store_be32(icv, static_cast<uint32_t>(seq >> 32));
      hashed += 4;
    }
    job.msg_len_to_hash_in_bytes = hashed;
  }
  op.pkt = m;
  op.sa = &sa;
  op.seq = seq;
  op.esp_offset = static_cast<uint16_t>(esp_offset);
  op.payload_len = static_cast<uint16_t>(payload_len);
  return true;
}

void decap_into_queue(CryptoQueue& q, rte_mbuf* const* pkts, InboundSa* const* sas, uint16_t n,
                      const DecapDone& done) noexcept {
  IMB_JOB** jobs = q.reserve(n, done);
  uint32_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    // The mbuf two ahead, the data of the next: each read when it is needed.
    if (i + 2 < n) rte_prefetch0(pkts[i + 2]);
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
    DropReason why{};
    if (prepare(pkts[i], *sas[i], *jobs[k], q.op(k), why)) [[likely]] {
      ++k;
    } else {
      sas[i]->usage.drop(why);
      q.drop(pkts[i], why);
    }
  }
  q.submit(k, done);
}

}  // namespace

FinishedBurst esp_decap_submit(CryptoCtx& ctx, rte_mbuf* const* pkts, InboundSa* const* sas,
                               uint16_t n) noexcept {
  assert(n <= kMaxBurst);
  CryptoQueue& q = ctx.inbound();
  const DecapDone done{};
  q.begin();
  decap_into_queue(q, pkts, sas, n, done);
  return q.finish();
}

FinishedBurst esp_decap_flush(CryptoCtx& ctx) noexcept {
  CryptoQueue& q = ctx.inbound();
  const DecapDone done{};
  q.begin();
  q.flush(done);
  return q.finish();
}

uint16_t esp_decap_burst(CryptoCtx& ctx, rte_mbuf** pkts, InboundSa* const* sas, uint16_t n,
                         DropReason* why) noexcept {
  CryptoQueue& q = ctx.inbound();
  assert(q.in_flight() == 0);
  const DecapDone done{};
  return run_in_chunks(pkts, n, why, [&](uint16_t off, uint16_t len) noexcept {
    q.begin();
    decap_into_queue(q, pkts + off, sas + off, len, done);
    q.flush(done);
    const FinishedBurst f = q.finish();
    assert(f.n == len);
    return copy_finished(f, pkts + off, why + off);
  });
}

}  // namespace vpngw::dataplane
