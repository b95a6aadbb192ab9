#include "ike/crypto/secret_bytes.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace vpngw::ike {

namespace {

uint8_t* allocate(size_t size) {
  if (size == 0) return nullptr;
  // sodium_init() is idempotent and thread-safe; sodium_malloc needs it.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  void* p = sodium_malloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<uint8_t*>(p);
}

}  // namespace

SecretBytes::SecretBytes(size_t size) : data_(allocate(size)), size_(size) {
  if (data_ != nullptr) sodium_memzero(data_, size_);
}

SecretBytes::SecretBytes(ByteView from) : data_(allocate(from.size())), size_(from.size()) {
  if (data_ != nullptr) std::memcpy(data_, from.data(), size_);
}

SecretBytes::~SecretBytes() {
  if (data_ != nullptr) sodium_free(data_);  // wipes before unmapping
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes SecretBytes::slice(size_t offset, size_t length) const {
  if (offset > size_ || length > size_ - offset) throw std::out_of_range("SecretBytes::slice");
  return SecretBytes(view().subspan(offset, length));
}

bool SecretBytes::equals(ByteView other) const { return constant_time_equal(view(), other); }

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vpngw::ike
