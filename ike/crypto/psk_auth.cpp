#include "ike/crypto/psk_auth.hpp"

#include "ike/crypto/prf.hpp"
#include "ike/crypto/secret_bytes.hpp"
#include "ike/wire/payload_codec.hpp"

namespace vpngw::ike {

namespace {
constexpr std::string_view kKeyPad = "Key Pad for IKEv2";
}

Bytes signed_octets(Integrity prf, ByteView real_message, ByteView other_nonce, ByteView sk_p,
                    const IdPayload& signer_id) {
  Bytes id_body;
  write_payload_body(id_body, Payload{signer_id});
  SecretBytes maced_id = Prf(prf)(sk_p, {id_body});
  Bytes out(real_message.begin(), real_message.end());
  append(out, other_nonce);
  append(out, maced_id);
  return out;
}

Bytes psk_auth_value(Integrity prf, ByteView psk, ByteView signed_octets) {
  const Prf f(prf);
  SecretBytes padded_key = f(psk, {as_bytes(kKeyPad)});
  SecretBytes auth = f(padded_key, {signed_octets});
  return Bytes(auth.view().begin(), auth.view().end());
}

bool verify_psk_auth(Integrity prf, ByteView psk, ByteView signed_octets, ByteView received) {
  return constant_time_equal(psk_auth_value(prf, psk, signed_octets), received);
}

}  // namespace vpngw::ike
