#include "dataplane/tables/sa_retire.hpp"

#include <cstring>
#include <new>

namespace vpngw::dataplane {

namespace {

// make_unique<T>() allocated with the aligned operator new; give the memory
// back the same way once the object is gone and its bytes are poisoned.
template <class Sa>
void destroy_poisoned(Sa* sa) noexcept {
  if (sa == nullptr) return;
  sa->~Sa();
  std::memset(static_cast<void*>(sa), kSaPoisonByte, sizeof(Sa));
  ::operator delete(static_cast<void*>(sa), sizeof(Sa), std::align_val_t{alignof(Sa)});
}

}  // namespace

void destroy_sa(InboundSa* sa) noexcept { destroy_poisoned(sa); }
void destroy_sa(OutboundSa* sa) noexcept { destroy_poisoned(sa); }

}  // namespace vpngw::dataplane
