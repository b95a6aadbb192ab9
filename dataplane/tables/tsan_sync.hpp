// ThreadSanitizer cannot see the synchronisation inside DPDK: rte_hash's
// release/acquire pair lives in an uninstrumented library, and rte_ring on
// x86 orders with compiler barriers only (TSO does the rest). TSan would
// report the worker's first read of a freshly installed SA, or of a packet
// handed over by another worker, as a race with the writer. These two calls
// restate those existing happens-before edges for TSan; they compile to
// nothing in every other build.
#pragma once

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace vpngw::dataplane {

// The writer, after its last write and before publishing the object.
inline void tsan_publish([[maybe_unused]] const void* object) noexcept {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(const_cast<void*>(object));
#endif
}

// The reader, after a lookup or dequeue returned the object.
inline void tsan_acquire([[maybe_unused]] const void* object) noexcept {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(const_cast<void*>(object));
#endif
}

}  // namespace vpngw::dataplane
