#include "ike/crypto/sk_payload.hpp"

#include "ike/crypto/algorithms.hpp"
#include "ike/crypto/cipher.hpp"
#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/hmac.hpp"
#include "ike/wire/byte_writer.hpp"

namespace vpngw::ike {

namespace {

struct Layout {
  const CipherInfo& cipher;
  size_t icv_size;  // the AEAD tag or the truncated HMAC
};

Layout layout_of(const SkKeys& keys) {
  const CipherInfo& info = cipher_info(keys.encryption);
  if (info.aead) return {info, info.icv_size};
  if (!keys.integrity) throw CryptoError("SK payload: CBC cipher without integrity algorithm");
  return {info, integrity_info(*keys.integrity).icv_size};
}

ByteView cipher_key(const SkKeys& keys, const CipherInfo& info) {
  if (keys.encryption_key.size() != info.keymat_size()) throw CryptoError("SK_e size");
  return keys.encryption_key.first(info.key_size);
}

Bytes gcm_nonce(const SkKeys& keys, const CipherInfo& info, ByteView iv) {
  Bytes nonce(keys.encryption_key.begin() + static_cast<ptrdiff_t>(info.key_size),
              keys.encryption_key.end());
  append(nonce, iv);
  return nonce;
}

Bytes truncated_hmac(const SkKeys& keys, ByteView data, size_t icv_size) {
  Bytes full(digest_size(*keys.integrity));
  hmac(*keys.integrity, keys.integrity_key, {data}, full);
  full.resize(icv_size);
  return full;
}

}  // namespace

SkKeys sending_keys(const IkeSuite& suite, const IkeKeys& keys, bool we_are_initiator) {
  return {suite.encryption, suite.integrity, we_are_initiator ? keys.sk_ei.view() : keys.sk_er.view(),
          we_are_initiator ? keys.sk_ai.view() : keys.sk_ar.view()};
}

SkKeys receiving_keys(const IkeSuite& suite, const IkeKeys& keys, bool we_are_initiator) {
  return sending_keys(suite, keys, !we_are_initiator);
}

Bytes seal_message(const Header& header, std::span<const Payload> inner, const SkKeys& keys,
                   RandomSource& random) {
  const Layout layout = layout_of(keys);
  const CipherInfo& info = layout.cipher;

  Bytes plaintext = serialize_payloads(inner);
  // Pad so payloads | padding | pad length fills whole blocks (none for GCM).
  const size_t pad = (info.block_size - (plaintext.size() + 1) % info.block_size) % info.block_size;
  plaintext.insert(plaintext.end(), pad, 0);
  plaintext.push_back(static_cast<uint8_t>(pad));

  Bytes iv(info.iv_size);
  random.fill(iv);

  const size_t encrypted_size = plaintext.size();  // CBC keeps the size; GCM's tag is the ICV
  const size_t sk_length = kGenericPayloadHeaderSize + iv.size() + encrypted_size + layout.icv_size;
  const PayloadType first = inner.empty() ? PayloadType::none : payload_type(inner.front());

  Bytes out;
  out.reserve(kHeaderSize + sk_length);
  write_header(out, header, PayloadType::sk, static_cast<uint32_t>(kHeaderSize + sk_length));
  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(first));
  w.u8(0);
  w.u16(static_cast<uint16_t>(sk_length));

  if (info.aead) {
    Bytes aad = out;  // everything before the IV
    w.bytes(iv);
    w.bytes(gcm_seal(keys.encryption, cipher_key(keys, info), gcm_nonce(keys, info, iv), aad,
                     plaintext));
  } else {
    w.bytes(iv);
    w.bytes(cbc_encrypt(keys.encryption, cipher_key(keys, info), iv, plaintext));
    w.bytes(truncated_hmac(keys, out, layout.icv_size));
  }
  return out;
}

WireResult<Message> open_message(ByteView datagram, const SkKeys& keys) {
  auto parsed = parse_message(datagram);
  if (!parsed) return unexpected(parsed.error());
  Message message = std::move(*parsed);
  const auto* sk = message.payloads.empty()
                       ? nullptr
                       : std::get_if<EncryptedPayload>(&message.payloads.back());
  if (sk == nullptr) return wire_error(WireErrorCode::unexpected_payload, kHeaderSize);

  const Layout layout = layout_of(keys);
  const CipherInfo& info = layout.cipher;
  // The SK body is the tail of the datagram (the parser made sure of that).
  const size_t body_at = datagram.size() - sk->body.size();
  const ByteView body = datagram.subspan(body_at);
  if (body.size() < info.iv_size + layout.icv_size + 1)
    return wire_error(WireErrorCode::bad_length, body_at - 2, PayloadType::sk);
  const ByteView iv = body.first(info.iv_size);
  const ByteView encrypted = body.subspan(info.iv_size, body.size() - info.iv_size - layout.icv_size);
  const size_t encrypted_at = body_at + info.iv_size;

  Bytes plaintext;
  if (info.aead) {
    auto opened = gcm_open(keys.encryption, cipher_key(keys, info), gcm_nonce(keys, info, iv),
                           datagram.first(body_at), body.subspan(info.iv_size));
    if (!opened) return wire_error(WireErrorCode::integrity_check_failed, body_at, PayloadType::sk);
    plaintext = std::move(*opened);
  } else {
    if (encrypted.size() % info.block_size != 0)
      return wire_error(WireErrorCode::bad_length, body_at - 2, PayloadType::sk);
    const size_t icv_at = datagram.size() - layout.icv_size;
    Bytes expected = truncated_hmac(keys, datagram.first(icv_at), layout.icv_size);
    if (!constant_time_equal(expected, datagram.subspan(icv_at)))
      return wire_error(WireErrorCode::integrity_check_failed, icv_at, PayloadType::sk);
    plaintext = cbc_decrypt(keys.encryption, cipher_key(keys, info), iv, encrypted);
  }

  const size_t pad = plaintext.back();
  if (pad + 1 > plaintext.size())
    return wire_error(WireErrorCode::bad_padding, encrypted_at + plaintext.size() - 1, PayloadType::sk);
  plaintext.resize(plaintext.size() - pad - 1);

  auto inner = parse_payloads(sk->first_inner, plaintext, encrypted_at);
  if (!inner) return unexpected(inner.error());
  message.payloads.pop_back();  // the SK payload itself
  for (Payload& p : *inner) {
    if (std::holds_alternative<EncryptedPayload>(p))
      return wire_error(WireErrorCode::unexpected_payload, encrypted_at, PayloadType::sk);
    message.payloads.push_back(std::move(p));
  }
  return message;
}

}  // namespace vpngw::ike
