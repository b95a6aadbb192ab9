#include "dataplane/imb_manager.hpp"

namespace vpngw::dataplane {

std::string_view imb_arch_name(IMB_ARCH arch) noexcept {
  switch (arch) {
    case IMB_ARCH_NOAESNI:
      return "no-aesni";
    case IMB_ARCH_SSE:
      return "sse";
    case IMB_ARCH_AVX:
      return "avx";
    case IMB_ARCH_AVX2:
      return "avx2";
    case IMB_ARCH_AVX512:
      return "avx512";
    default:
      return "unknown";
  }
}

std::unique_ptr<ImbManager> ImbManager::create(std::string* error) {
  IMB_MGR* mgr = alloc_mb_mgr(0);
  if (mgr == nullptr) {
    *error = "IPsec-MB: cannot allocate a manager";
    return nullptr;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(mgr, &arch);
  if (const int err = imb_get_errno(mgr); err != 0) {
    *error = std::string("IPsec-MB: manager init failed: ") + imb_get_strerror(err);
    free_mb_mgr(mgr);
    return nullptr;
  }
  return std::unique_ptr<ImbManager>(new ImbManager(mgr, arch));
}

ImbManager::~ImbManager() { free_mb_mgr(mgr_); }

std::string_view ImbManager::arch_name() const noexcept { return imb_arch_name(arch_); }

}  // namespace vpngw::dataplane
