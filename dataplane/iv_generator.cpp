#include "dataplane/iv_generator.hpp"

#include <sodium.h>

namespace vpngw::dataplane {

IvGenerator::~IvGenerator() {
  sodium_memzero(key_schedule_.data(), sizeof key_schedule_);
  sodium_memzero(pool_.data(), pool_.size());
}

bool IvGenerator::init(IMB_MGR* mgr) noexcept {
  if (sodium_init() < 0) return false;
  mgr_ = mgr;
  std::array<uint8_t, 16> key{};
  alignas(16) std::array<uint32_t, 44> unused_decrypt_schedule{};
  randombytes_buf(key.data(), key.size());
  IMB_AES_KEYEXP_128(mgr_, key.data(), key_schedule_.data(), unused_decrypt_schedule.data());
  sodium_memzero(key.data(), key.size());
  sodium_memzero(unused_decrypt_schedule.data(), sizeof unused_decrypt_schedule);
  randombytes_buf(counter_block_.data(), 4);
  refill();
  return true;
}

void IvGenerator::refill() noexcept {
  for (size_t k = 0; k < 8; ++k)
    counter_block_[4 + k] = static_cast<uint8_t>(refills_ >> (56 - 8 * k));
  ++refills_;
  // CTR over zeros yields the keystream itself.
  pool_.fill(0);
  IMB_JOB job{};
  job.enc_keys = key_schedule_.data();
  job.key_len_in_bytes = 16;
  job.src = pool_.data();
  job.dst = pool_.data();
  job.cipher_start_src_offset_in_bytes = 0;
  job.msg_len_to_cipher_in_bytes = pool_.size();
  job.iv = counter_block_.data();
  job.iv_len_in_bytes = counter_block_.size();
  job.cipher_mode = IMB_CIPHER_CNTR;
  job.cipher_direction = IMB_DIR_ENCRYPT;
  job.hash_alg = IMB_AUTH_NULL;
  job.chain_order = IMB_ORDER_CIPHER_HASH;
  IMB_SUBMIT_CIPHER_BURST_NOCHECK(mgr_, &job, 1, IMB_CIPHER_CNTR, IMB_DIR_ENCRYPT,
                                  IMB_KEY_128_BYTES);
  pos_ = 0;
}

}  // namespace vpngw::dataplane
