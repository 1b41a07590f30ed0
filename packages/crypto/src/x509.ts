// @peculiar/x509 resolves its algorithm registry through tsyringe, which needs the Reflect
// metadata polyfill installed before the library module is evaluated. Every file of this
// package imports x509 through here, so the order holds whichever module a caller loads first.
import 'reflect-metadata'

export {
  AuthorityKeyIdentifierExtension,
  Extension,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509'
