// The crypto ceiling of one core: IPsec-MB alone, looping the burst API over
// pre-made ESP-shaped buffers, with no packet handling at all. scripts/bench
// puts this next to ipsec-secgw and vpngwd so their figures read as "how much
// of the core is left for everything that is not crypto".
//
// Usage: vpngw_ipsecmb_ceiling --arch
//        vpngw_ipsecmb_ceiling ALG encrypt|decrypt INNER_SIZE SECONDS
// Prints one line: "mpps=X packets=N seconds=S cpu_seconds=C arch=NAME"
// (C: the thread's CPU time over the run, which on a shared machine is less
// than S; packets / C is what a dedicated core would do); with --arch,
// "arch=NAME version=V tsc_hz=HZ" (the TSC rate measured against the
// monotonic clock over 200 ms: the clock DPDK's rte_rdtsc() and vpngw's
// cycles/packet figures count in).
#include <intel-ipsec-mb.h>
#include <x86intrin.h>

#include <thread>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace vpngw::bench {

namespace {

constexpr uint32_t kBurst = 32;
constexpr uint32_t kEspHeaderLen = 8;  // SPI + sequence number
// One pool of buffers, several bursts deep, so the loop does not keep
// re-touching the same 32 cache-hot buffers (closer to a real RX ring).
constexpr uint32_t kBuffers = kBurst * 8;

enum class AlgId { kAes128CbcSha1, kAes256CbcSha256, kDes3CbcSha1, kAes128Gcm };

struct AlgSpec {
  std::string_view name;
  AlgId id;
  uint32_t key_len;    // cipher key bytes
  uint32_t iv_len;     // bytes on the wire
  uint32_t block_len;  // payload padding unit
  uint32_t icv_len;    // truncated tag bytes
};

constexpr std::array<AlgSpec, 4> kAlgs{{
    {"aes128-cbc-sha1", AlgId::kAes128CbcSha1, 16, 16, 16, 12},
    {"aes256-cbc-sha256", AlgId::kAes256CbcSha256, 32, 16, 16, 16},
    {"3des-cbc-sha1", AlgId::kDes3CbcSha1, 24, 8, 8, 12},
    {"aes128-gcm", AlgId::kAes128Gcm, 16, 8, 4, 16},
}};

const AlgSpec* find_alg(std::string_view name) {
  for (const AlgSpec& a : kAlgs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const char* arch_name(IMB_ARCH arch) {
  switch (arch) {
    case IMB_ARCH_NOAESNI: return "noaesni";
    case IMB_ARCH_SSE: return "sse";
    case IMB_ARCH_AVX: return "avx";
    case IMB_ARCH_AVX2: return "avx2";
    case IMB_ARCH_AVX512: return "avx512";
    default: return "none";
  }
}

// Every expanded key the job API may point at, kept alive for the whole run.
struct Keys {
  alignas(16) std::array<uint8_t, 16 * 15> aes_enc{};
  alignas(16) std::array<uint8_t, 16 * 15> aes_dec{};
  alignas(16) std::array<std::array<uint64_t, 16>, 3> des{};
  std::array<const void*, 3> des_ptrs{};
  alignas(16) gcm_key_data gcm{};
  alignas(16) std::array<uint8_t, 32> ipad{};
  alignas(16) std::array<uint8_t, 32> opad{};
};

// HMAC inner/outer states (RFC 2104), precomputed once as the job API wants.
void hmac_pads(IMB_MGR* mgr, bool sha256, const uint8_t* key, size_t key_len, Keys& k) {
  std::array<uint8_t, 64> inner{};
  std::array<uint8_t, 64> outer{};
  for (size_t i = 0; i < 64; ++i) {
    const uint8_t b = i < key_len ? key[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  if (sha256) {
    IMB_SHA256_ONE_BLOCK(mgr, inner.data(), k.ipad.data());
    IMB_SHA256_ONE_BLOCK(mgr, outer.data(), k.opad.data());
  } else {
    IMB_SHA1_ONE_BLOCK(mgr, inner.data(), k.ipad.data());
    IMB_SHA1_ONE_BLOCK(mgr, outer.data(), k.opad.data());
  }
}

void expand_keys(IMB_MGR* mgr, const AlgSpec& alg, Keys& k) {
  std::array<uint8_t, 32> cipher_key{};
  std::array<uint8_t, 32> auth_key{};
  for (size_t i = 0; i < cipher_key.size(); ++i) {
    cipher_key[i] = static_cast<uint8_t>(0x10 + i);
    auth_key[i] = static_cast<uint8_t>(0x40 + i);
  }
  switch (alg.id) {
    case AlgId::kAes128CbcSha1:
      IMB_AES_KEYEXP_128(mgr, cipher_key.data(), k.aes_enc.data(), k.aes_dec.data());
      hmac_pads(mgr, false, auth_key.data(), 20, k);
      break;
    case AlgId::kAes256CbcSha256:
      IMB_AES_KEYEXP_256(mgr, cipher_key.data(), k.aes_enc.data(), k.aes_dec.data());
      hmac_pads(mgr, true, auth_key.data(), 32, k);
      break;
    case AlgId::kDes3CbcSha1:
      for (size_t i = 0; i < 3; ++i) {
        IMB_DES_KEYSCHED(mgr, k.des[i].data(), cipher_key.data() + 8 * i);
        k.des_ptrs[i] = k.des[i].data();
      }
      hmac_pads(mgr, false, auth_key.data(), 20, k);
      break;
    case AlgId::kAes128Gcm:
      IMB_AES128_GCM_PRE(mgr, cipher_key.data(), &k.gcm);
      break;
  }
}

// Geometry of one ESP packet for an inner packet of `inner` bytes.
struct Layout {
  uint32_t payload;  // encrypted bytes: inner + padding + pad length + next header
  uint32_t stride;   // bytes between buffers, cache-line aligned
};

Layout layout_for(const AlgSpec& alg, uint32_t inner) {
  const uint32_t payload = (inner + 2u + alg.block_len - 1u) / alg.block_len * alg.block_len;
  const uint32_t total = kEspHeaderLen + alg.iv_len + payload + alg.icv_len;
  return {payload, (total + 63u) / 64u * 64u};
}

void fill_job(IMB_JOB& job, const AlgSpec& alg, const Keys& k, const Layout& l, bool encrypt,
              uint8_t* esp, uint8_t* tag_scratch, const uint8_t* gcm_nonce) {
  const uint32_t cipher_off = kEspHeaderLen + alg.iv_len;
  job.cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
  // Decrypt verifies the ICV over the ciphertext first, as ESP does.
  job.chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
  job.src = esp;
  job.dst = esp + cipher_off;
  job.cipher_start_src_offset_in_bytes = cipher_off;
  job.msg_len_to_cipher_in_bytes = l.payload;
  job.auth_tag_output = encrypt ? esp + cipher_off + l.payload : tag_scratch;
  job.auth_tag_output_len_in_bytes = alg.icv_len;
  job.key_len_in_bytes = alg.key_len;
  switch (alg.id) {
    case AlgId::kAes128CbcSha1:
    case AlgId::kAes256CbcSha256:
      job.cipher_mode = IMB_CIPHER_CBC;
      job.enc_keys = k.aes_enc.data();
      job.dec_keys = k.aes_dec.data();
      break;
    case AlgId::kDes3CbcSha1:
      job.cipher_mode = IMB_CIPHER_DES3;
      job.enc_keys = job.dec_keys = k.des_ptrs.data();
      break;
    case AlgId::kAes128Gcm:
      job.cipher_mode = IMB_CIPHER_GCM;
      job.enc_keys = job.dec_keys = &k.gcm;
      break;
  }
  if (alg.id == AlgId::kAes128Gcm) {
    // 12-byte nonce (salt + IV), SPI + sequence number as AAD (RFC 4106).
    job.hash_alg = IMB_AUTH_AES_GMAC;
    job.iv = gcm_nonce;
    job.iv_len_in_bytes = 12;
    job.u.GCM.aad = esp;
    job.u.GCM.aad_len_in_bytes = kEspHeaderLen;
    job.hash_start_src_offset_in_bytes = cipher_off;
    job.msg_len_to_hash_in_bytes = l.payload;
  } else {
    job.hash_alg = alg.id == AlgId::kAes256CbcSha256 ? IMB_AUTH_HMAC_SHA_256 : IMB_AUTH_HMAC_SHA_1;
    job.u.HMAC._hashed_auth_key_xor_ipad = k.ipad.data();
    job.u.HMAC._hashed_auth_key_xor_opad = k.opad.data();
    job.iv = esp + kEspHeaderLen;
    job.iv_len_in_bytes = alg.iv_len;
    job.hash_start_src_offset_in_bytes = 0;
    job.msg_len_to_hash_in_bytes = cipher_off + l.payload;
  }
}

// One checked burst before timing: IMB_SUBMIT_BURST validates every job, so a
// mistake in fill_job is an error here instead of a fast loop doing nothing.
bool jobs_are_valid(IMB_MGR* mgr, const AlgSpec& alg, const Keys& k, const Layout& l,
                    bool encrypt, uint8_t* base, std::vector<std::array<uint8_t, 32>>& tags,
                    const uint8_t* nonce) {
  IMB_JOB* jobs[kBurst];
  if (IMB_GET_NEXT_BURST(mgr, kBurst, jobs) != kBurst) return false;
  for (uint32_t i = 0; i < kBurst; ++i) {
    fill_job(*jobs[i], alg, k, l, encrypt, base + static_cast<size_t>(i) * l.stride,
             tags[i].data(), nonce);
  }
  uint32_t done = IMB_SUBMIT_BURST(mgr, kBurst, jobs);
  if (imb_get_errno(mgr) != 0) return false;
  std::array<IMB_JOB*, IMB_MAX_JOBS> flushed{};
  const uint32_t more = IMB_FLUSH_BURST(mgr, IMB_MAX_JOBS, flushed.data());
  for (uint32_t i = 0; i < done; ++i) {
    if (jobs[i]->status != IMB_STATUS_COMPLETED) return false;
  }
  for (uint32_t i = 0; i < more; ++i) {
    if (flushed[i]->status != IMB_STATUS_COMPLETED) return false;
  }
  return done + more == kBurst;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Result {
  uint64_t packets = 0;
  double seconds = 0;
  double cpu_seconds = 0;
};

// Streams bursts through one manager for `seconds`: the manager is flushed
// only at the end, because flushing every burst costs CBC+HMAC 11-20 % at
// small sizes (measured, see ../shared/TESTNET.md).
Result run(IMB_MGR* mgr, const AlgSpec& alg, bool encrypt, uint32_t inner, double seconds) {
  Keys keys;
  expand_keys(mgr, alg, keys);
  const Layout l = layout_for(alg, inner);
  std::vector<uint8_t> area(static_cast<size_t>(l.stride) * kBuffers + 64);
  uint8_t* base = area.data() + (64 - reinterpret_cast<uintptr_t>(area.data()) % 64) % 64;
  for (size_t i = 0; i < static_cast<size_t>(l.stride) * kBuffers; ++i) {
    base[i] = static_cast<uint8_t>(i * 7u);
  }
  std::vector<std::array<uint8_t, 32>> tags(kBuffers);
  const std::array<uint8_t, 12> nonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  if (!jobs_are_valid(mgr, alg, keys, l, encrypt, base, tags, nonce.data())) {
    std::fprintf(stderr, "ipsec-mb rejected the %s jobs: %s\n", std::string(alg.name).c_str(),
                 imb_get_strerror(imb_get_errno(mgr)));
    return {};
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const double cpu_start = thread_cpu_seconds();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  uint64_t done = 0;
  uint32_t next = 0;
  std::array<IMB_JOB*, IMB_MAX_JOBS> out{};
  IMB_JOB* jobs[kBurst];
  for (uint64_t round = 0;; ++round) {
    // Check the clock every 64 bursts: a clock read per burst shows at 64 B.
    if ((round & 63u) == 0 && Clock::now() >= deadline) break;
    uint32_t n = IMB_GET_NEXT_BURST(mgr, kBurst, jobs);
    if (n < kBurst) {
      done += IMB_FLUSH_BURST(mgr, IMB_MAX_JOBS, out.data());
      n = IMB_GET_NEXT_BURST(mgr, kBurst, jobs);
    }
    for (uint32_t i = 0; i < kBurst; ++i) {
      fill_job(*jobs[i], alg, keys, l, encrypt, base + static_cast<size_t>(next) * l.stride,
               tags[next].data(), nonce.data());
      next = (next + 1) % kBuffers;
    }
    done += IMB_SUBMIT_BURST_NOCHECK(mgr, kBurst, jobs);
  }
  done += IMB_FLUSH_BURST(mgr, IMB_MAX_JOBS, out.data());
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {done, elapsed, thread_cpu_seconds() - cpu_start};
}

int usage() {
  std::fprintf(stderr,
               "usage: vpngw_ipsecmb_ceiling --arch\n"
               "       vpngw_ipsecmb_ceiling ALG encrypt|decrypt INNER_SIZE SECONDS\n"
               "ALG: aes128-cbc-sha1 aes256-cbc-sha256 3des-cbc-sha1 aes128-gcm\n");
  return 2;
}

int main_impl(int argc, char** argv) {
  IMB_MGR* mgr = alloc_mb_mgr(0);
  if (mgr == nullptr) {
    std::fprintf(stderr, "alloc_mb_mgr failed\n");
    return 1;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(mgr, &arch);
  int rc = 0;
  if (argc == 2 && std::strcmp(argv[1], "--arch") == 0) {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const uint64_t c1 = __rdtsc();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("arch=%s version=%s tsc_hz=%.0f\n", arch_name(arch), imb_get_version_str(),
                static_cast<double>(c1 - c0) / s);
  } else if (argc == 5) {
    const AlgSpec* alg = find_alg(argv[1]);
    const std::string_view dir = argv[2];
    const long inner = std::strtol(argv[3], nullptr, 10);
    const double seconds = std::strtod(argv[4], nullptr);
    if (alg == nullptr || (dir != "encrypt" && dir != "decrypt") || inner < 20 || inner > 9000 ||
        !(seconds > 0)) {
      rc = usage();
    } else {
      const Result r = run(mgr, *alg, dir == "encrypt", static_cast<uint32_t>(inner), seconds);
      if (r.packets == 0 || imb_get_errno(mgr) != 0) {
        std::fprintf(stderr, "ipsec-mb error: %s\n", imb_get_strerror(imb_get_errno(mgr)));
        rc = 1;
      } else {
        std::printf("mpps=%.4f packets=%llu seconds=%.3f cpu_seconds=%.3f arch=%s\n",
                    static_cast<double>(r.packets) / r.seconds / 1e6,
                    static_cast<unsigned long long>(r.packets), r.seconds, r.cpu_seconds,
                    arch_name(arch));
      }
    }
  } else {
    rc = usage();
  }
  free_mb_mgr(mgr);
  return rc;
}

}  // namespace

}  // namespace vpngw::bench

int main(int argc, char** argv) { return vpngw::bench::main_impl(argc, argv); }
