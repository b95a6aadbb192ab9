#include "dataplane/crypto_ctx.hpp"

namespace vpngw::dataplane {

FinishedBurst CryptoQueue::finish() noexcept {
  for (uint16_t k = 0; k < n_bad_; ++k) {
    good_[n_good_ + k] = bad_[k];
    why_[n_good_ + k] = bad_why_[k];
  }
  return {good_.data(), good_sas_.data(), why_.data(), n_good_, static_cast<uint16_t>(n_good_ + n_bad_)};
}

std::unique_ptr<CryptoCtx> CryptoCtx::create(const CryptoCtxOptions& options, std::string* error) {
  auto out = ImbManager::create(error);
  if (!out) return nullptr;
  auto in = ImbManager::create(error);
  if (!in) return nullptr;
  std::unique_ptr<CryptoCtx> ctx(new CryptoCtx(std::move(out), std::move(in), options.check_jobs));
  if (!ctx->iv_.init(ctx->outbound_.mgr())) {
    *error = "no randomness for the IV generator (libsodium failed to initialise)";
    return nullptr;
  }
  return ctx;
}

uint16_t copy_finished(const FinishedBurst& f, rte_mbuf** pkts, DropReason* why) noexcept {
  for (uint16_t k = 0; k < f.n; ++k) pkts[k] = f.pkts[k];
  for (uint16_t k = f.n_good; k < f.n; ++k) why[k] = f.why[k];
  return f.n_good;
}

}  // namespace vpngw::dataplane
