// The ceiling: IPsec-MB alone on the same jobs vpngw submits (same keys,
// offsets, lengths, ICV sizes), on plain buffers, streaming bursts of 32,
// with no packet handling at all. vpngw's numbers divided by these say how
// much of the time is ours.
#include <array>
#include <vector>

#include "bench/bench_support.hpp"
#include "dataplane/esp_wire.hpp"

namespace vpngw::dataplane::bench {

namespace {

void raw_ipsec_mb(benchmark::State& state, Algo algo, uint16_t inner_size, bool encrypt) {
  World w(algo);
  if (!w.ok()) return state.SkipWithError("setup failed");
  const JobTemplate& t = encrypt ? w.out->job : w.in->job;
  const uint32_t payload = (inner_size + 2u + t.block_len - 1u) / t.block_len * t.block_len;
  const uint32_t stride = (kEspHeaderLen + t.iv_len + payload + t.icv_len + 4 + 63) / 64 * 64;
  alignas(64) static thread_local std::array<uint8_t, 64 * 1024 * 2> area{};
  if (stride * kBurst > area.size()) return state.SkipWithError("buffer too small");
  std::array<uint8_t, 16> nonce{};
  std::array<uint8_t, 16> aad{};
  std::array<std::array<uint8_t, 16>, kBurst> tags{};
  IMB_MGR* mgr = w.ctx->outbound().mgr();
  IMB_JOB* jobs[kBurst];
  PacketMeter meter;
  for (auto _ : state) {
    const uint32_t n = IMB_GET_NEXT_BURST(mgr, kBurst, jobs);
    if (n < kBurst) {
      IMB_JOB* done[IMB_MAX_JOBS];
      meter.add(IMB_FLUSH_BURST(mgr, IMB_MAX_JOBS, done));
      IMB_GET_NEXT_BURST(mgr, kBurst, jobs);
    }
    for (uint32_t k = 0; k < kBurst; ++k) {
      IMB_JOB& job = *jobs[k];
      uint8_t* esp = area.data() + k * stride;
      set_sa_fields(job, t, encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT);
      job.src = esp;
      job.dst = esp + kEspHeaderLen + t.iv_len;
      job.cipher_start_src_offset_in_bytes = kEspHeaderLen + t.iv_len;
      job.msg_len_to_cipher_in_bytes = payload;
      job.auth_tag_output = encrypt ? esp + kEspHeaderLen + t.iv_len + payload : tags[k].data();
      if (t.gcm) {
        job.iv = nonce.data();
        job.iv_len_in_bytes = 12;
        job.u.GCM.aad = aad.data();
        job.u.GCM.aad_len_in_bytes = 8;
        job.hash_start_src_offset_in_bytes = job.cipher_start_src_offset_in_bytes;
        job.msg_len_to_hash_in_bytes = payload;
      } else {
        job.iv = esp + kEspHeaderLen;
        job.iv_len_in_bytes = t.iv_len;
        job.hash_start_src_offset_in_bytes = 0;
        job.msg_len_to_hash_in_bytes = kEspHeaderLen + t.iv_len + payload;
      }
    }
    meter.add(IMB_SUBMIT_BURST_NOCHECK(mgr, kBurst, jobs));
  }
  IMB_JOB* done[IMB_MAX_JOBS];
  meter.add(IMB_FLUSH_BURST(mgr, IMB_MAX_JOBS, done));
  meter.report(state);
}

}  // namespace

void register_imb_benchmarks() {
  for (const Algo& a : kAlgos) {
    for (uint16_t size : kInnerSizes) {
      const std::string tail = std::string(a.name) + "/" + std::to_string(size);
      benchmark::RegisterBenchmark(("ipsecmb_encrypt/" + tail).c_str(), raw_ipsec_mb, a, size,
                                   true);
      benchmark::RegisterBenchmark(("ipsecmb_decrypt/" + tail).c_str(), raw_ipsec_mb, a, size,
                                   false);
    }
  }
}

}  // namespace vpngw::dataplane::bench
