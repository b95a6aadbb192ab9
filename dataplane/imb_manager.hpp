// Ownership of one Intel IPsec-MB manager (IMB_MGR). A manager is not thread
// safe: each worker owns its own, and the control thread owns one for key
// expansion at SA install. All managers on one machine pick the same code
// path (init_mb_mgr_auto), which matters because expanded GCM keys are laid
// out per code path.
#pragma once

#include <intel-ipsec-mb.h>

#include <memory>
#include <string>
#include <string_view>

namespace vpngw::dataplane {

class ImbManager {
 public:
  // Allocates and initialises the best manager for this CPU. Returns null
  // and says why in `error` when the library refuses.
  static std::unique_ptr<ImbManager> create(std::string* error);

  ~ImbManager();
  ImbManager(const ImbManager&) = delete;
  ImbManager& operator=(const ImbManager&) = delete;

  IMB_MGR* get() const noexcept { return mgr_; }
  IMB_ARCH arch() const noexcept { return arch_; }
  std::string_view arch_name() const noexcept;

 private:
  ImbManager(IMB_MGR* mgr, IMB_ARCH arch) : mgr_(mgr), arch_(arch) {}

  IMB_MGR* mgr_;
  IMB_ARCH arch_;
};

std::string_view imb_arch_name(IMB_ARCH arch) noexcept;

}  // namespace vpngw::dataplane
