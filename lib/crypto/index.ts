export {
  SecretError,
  decryptSecret,
  encryptSecret,
  isEncrypted,
  keyVersionOf,
  reencryptSecret,
  type KeyRing,
  type SecretErrorCode,
} from './secrets';
export { KEY_FILE, KeyRingError, addKeyVersion, loadKeyRing, type LoadKeyRingOptions } from './keys';
