#include "dataplane/esp_encap.hpp"

#include <rte_prefetch.h>

#include <cassert>
#include <cstring>

#include "dataplane/esp_wire.hpp"

namespace vpngw::dataplane {

namespace {

constexpr uint8_t kNextHeaderIpv4 = 4;
constexpr uint16_t kDfFlag = 0x4000;

uint16_t fold_checksum(uint32_t sum) noexcept {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Finishes one outbound job: the packet is ready unless IPsec-MB failed it.
struct EncapDone {
  bool operator()(CryptoOp& op, bool completed, DropReason& why) const noexcept {
    if (completed) [[likely]] return true;
    static_cast<OutboundSa*>(op.sa)->usage.drop(DropReason::crypto_error);
    why = DropReason::crypto_error;
    return false;
  }
};

// Checks one packet, builds its ESP framing around it and fills its job.
// Returns false, with `why`, leaving the packet untouched, when it cannot be
// sent on this SA.
bool prepare(CryptoCtx& ctx, rte_mbuf* m, OutboundSa& sa, IMB_JOB& job, CryptoOp& op,
             DropReason& why) noexcept {
  if (m->nb_segs != 1) [[unlikely]] {
    why = DropReason::chained_mbuf;
    return false;
  }
  if (sa.usage.stopped()) [[unlikely]] {
    const bool exhausted = sa.usage.events.load(std::memory_order_relaxed) & kSaSeqExhausted;
    why = exhausted ? DropReason::seq_overflow : DropReason::sa_expired;
    return false;
  }
  const uint8_t* inner = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint16_t data_len = m->data_len;
  const uint16_t inner_len = data_len >= kIpv4HeaderLen ? load_be16(inner + 2) : 0;
  if (data_len < kIpv4HeaderLen || (inner[0] >> 4) != 4 || inner_len < kIpv4HeaderLen ||
      inner_len > data_len) [[unlikely]] {
    why = DropReason::malformed;
    return false;
  }
  const JobTemplate& t = sa.job;
  // RFC 4303 §2.4: pad so that payload + pad length + next header fill
  // whole cipher blocks (4-byte aligned for GCM). block_len is a power of 2.
  const uint32_t pad = (0u - (inner_len + 2u)) & (t.block_len - 1u);
  const uint32_t payload_len = inner_len + pad + 2;
  const uint32_t trailer_len = pad + 2 + t.icv_len;
  // Fits in the mbuf's buffer (checked next), so within 65535 bytes: an
  // mbuf's buffer length is 16 bits.
  const uint32_t total_len = sa.header_len + payload_len + t.icv_len;
  // Bytes past the inner packet (Ethernet minimum-size padding) are cut,
  // which frees that much tailroom.
  const uint32_t spare = data_len - inner_len;
  if (rte_pktmbuf_headroom(m) < sa.header_len || rte_pktmbuf_tailroom(m) + spare < trailer_len)
      [[unlikely]] {
    why = DropReason::no_buffer_space;
    return false;
  }
  const uint64_t seq = sa.seq.load(std::memory_order_relaxed) + 1;
  if (seq > sa.max_seq) [[unlikely]] {
    sa.usage.raise(kSaSeqExhausted);
    why = DropReason::seq_overflow;
    return false;
  }
  sa.seq.store(seq, std::memory_order_relaxed);
  sa.usage.account(inner_len, sa.limits);

  const uint8_t tos = inner[1];
  const uint16_t df = load_be16(inner + 6) & kDfFlag;
  if (spare != 0) rte_pktmbuf_trim(m, static_cast<uint16_t>(spare));

  uint8_t* trailer = rte_pktmbuf_mtod_offset(m, uint8_t*, inner_len);
  rte_pktmbuf_append(m, static_cast<uint16_t>(trailer_len));
  // A fixed-size copy of 8 or 16 table bytes (pad is at most 15): the bytes
  // past the padding are overwritten below by pad length, next header and
  // ICV, which together are at least 14 bytes long.
  if (pad <= 8) {
    std::memcpy(trailer, kPadBytes.data(), 8);
  } else {
    std::memcpy(trailer, kPadBytes.data(), 16);
  }
  trailer[pad] = static_cast<uint8_t>(pad);
  trailer[pad + 1] = kNextHeaderIpv4;
  uint8_t* icv = trailer + pad + 2;

  uint8_t* outer = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, sa.header_len));
  // Always the full 28 bytes: a fixed-size copy, and header_len > 28.
  std::memcpy(outer, sa.outer_template.data(), sa.outer_template.size());
  const uint16_t id = static_cast<uint16_t>(static_cast<uint16_t>(seq) + sa.id_salt);
  outer[1] = tos;
  store_be16(outer + 2, static_cast<uint16_t>(total_len));
  store_be16(outer + 4, id);
  store_be16(outer + 6, df);
  store_be16(outer + 10, fold_checksum(sa.csum_base + tos + total_len + id + df));
  if (sa.udp_encap)
    store_be16(outer + kIpv4HeaderLen + 4, static_cast<uint16_t>(total_len - kIpv4HeaderLen));

  uint8_t* esp = outer + sa.outer_len;
  std::memcpy(esp, &sa.spi_be, 4);
  store_be32(esp + 4, static_cast<uint32_t>(seq));
  uint8_t* iv = esp + kEspHeaderLen;

  set_sa_fields(job, t, IMB_DIR_ENCRYPT);
  job.src = esp;
  // IPsec-MB applies the offset to the source only: dst points at the
  // first byte to (de)cipher itself.
  job.dst = esp + kEspHeaderLen + t.iv_len;
  job.cipher_start_src_offset_in_bytes = kEspHeaderLen + t.iv_len;
  job.msg_len_to_cipher_in_bytes = payload_len;
  job.auth_tag_output = icv;
  if (t.gcm) {
    store_be64(iv, sa.gcm_iv_base + seq);
    make_gcm_nonce(op.nonce.data(), t, iv);
    job.iv = op.nonce.data();
    job.iv_len_in_bytes = IMB_GCM_IV_DATA_LEN;
    job.u.GCM.aad = op.aad.data();
    job.u.GCM.aad_len_in_bytes = make_gcm_aad(op.aad.data(), esp, t.esn, seq);
    job.hash_start_src_offset_in_bytes = job.cipher_start_src_offset_in_bytes;
    job.msg_len_to_hash_in_bytes = payload_len;
  } else {
    ctx.iv().next(iv, t.iv_len);
    job.iv = iv;
    job.iv_len_in_bytes = t.iv_len;
    job.hash_start_src_offset_in_bytes = 0;
    uint32_t hashed = kEspHeaderLen + t.iv_len + payload_len;
    if (t.esn) {
      // RFC 4303 §2.2.1: the high half is authenticated but not sent. It
      // sits where the ICV goes; the ICV overwrites it when the hash is done.
      store_be32(icv, static_cast<uint32_t>(seq >> 32));
      hashed += 4;
    }
    job.msg_len_to_hash_in_bytes = hashed;
  }
  op.pkt = m;
  op.sa = &sa;
  op.seq = seq;
  return true;
}

void encap_into_queue(CryptoCtx& ctx, rte_mbuf* const* pkts, OutboundSa* const* sas, uint16_t n,
                      const EncapDone& done) noexcept {
  CryptoQueue& q = ctx.outbound();
  IMB_JOB** jobs = q.reserve(n, done);
  uint32_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    // The mbuf two ahead, the data of the next: each read when it is needed.
    if (i + 2 < n) rte_prefetch0(pkts[i + 2]);
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
    DropReason why{};
    if (prepare(ctx, pkts[i], *sas[i], *jobs[k], q.op(k), why)) [[likely]] {
      ++k;
    } else {
      sas[i]->usage.drop(why);
      q.drop(pkts[i], why);
    }
  }
  q.submit(k, done);
}

}  // namespace

FinishedBurst esp_encap_submit(CryptoCtx& ctx, rte_mbuf* const* pkts, OutboundSa* const* sas,
                               uint16_t n) noexcept {
  assert(n <= kMaxBurst);
  CryptoQueue& q = ctx.outbound();
  const EncapDone done{};
  q.begin();
  encap_into_queue(ctx, pkts, sas, n, done);
  return q.finish();
}

FinishedBurst esp_encap_flush(CryptoCtx& ctx) noexcept {
  CryptoQueue& q = ctx.outbound();
  const EncapDone done{};
  q.begin();
  q.flush(done);
  return q.finish();
}

uint16_t esp_encap_burst(CryptoCtx& ctx, rte_mbuf** pkts, OutboundSa* const* sas, uint16_t n,
                         DropReason* why) noexcept {
  CryptoQueue& q = ctx.outbound();
  assert(q.in_flight() == 0);
  const EncapDone done{};
  return run_in_chunks(pkts, n, why, [&](uint16_t off, uint16_t len) noexcept {
    q.begin();
    encap_into_queue(ctx, pkts + off, sas + off, len, done);
    q.flush(done);
    const FinishedBurst f = q.finish();
    assert(f.n == len);
    return copy_finished(f, pkts + off, why + off);
  });
}

}  // namespace vpngw::dataplane
