// CertificateInstallation (Plug & Charge contract provisioning) with the test PKI: neither vehicle nor emulated
// charger runs it yet, so what exists is exercised — the -20 and -2 codecs and the -20 EXI signature scheme —
// with the real certificates of fixtures/pki. The vehicle signs its -20 CertificateInstallationReq as [V2G20]
// asks (SHA-512 digest of the EXI-encoded OEMProvisioningCertificateChain, ECDSA over the EXI-encoded SignedInfo);
// the charger's side decodes it, re-encodes the fragments, and checks digest, signature and chain to the OEM root.

import { expect } from 'chai';
import { createECDH, createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeExi, decodeExiFragment, encodeExi, encodeExiFragment } from '../../drivers/exi/index.ts';
import { ensureTestPki, type PkiPaths } from '../../drivers/iso15118/test-pki.ts';
import { DEFAULT_MAX_PAYLOAD } from '../../drivers/iso15118/v2gtp.ts';

type Doc = Record<string, any>;
const C14N_EXI = 'http://www.w3.org/TR/canonical-exi/';
const SESSION = 'A1B2C3D4E5F60718';

/** A Buffer as the plain Uint8Array the codec and node:crypto's typings take. */
const u8 = (b: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
const fromB64 = (s: string) => u8(Buffer.from(s, 'base64'));
const cert = (file: string) => new X509Certificate(readFileSync(file, 'utf8'));
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
/** A certificate's DER, base64 as the codec carries base64Binary. */
const der64 = (file: string) => b64(u8(cert(file).raw));
const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest('base64');
/** RootCertificateID of a trust anchor: its issuer and serial (decimal: the codec's integer beyond 2^53). */
const rootId = (c: X509Certificate) => ({
  X509IssuerName: c.issuer.replace(/\n/g, ','),
  X509SerialNumber: BigInt(`0x${c.serialNumber}`).toString(),
});

function signedInfo(id: string, digest: string): Doc {
  return {
    CanonicalizationMethod: { '@Algorithm': C14N_EXI },
    SignatureMethod: { '@Algorithm': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512' },
    Reference: [
      {
        '@URI': `#${id}`,
        Transforms: { Transform: [{ '@Algorithm': C14N_EXI }] },
        DigestMethod: { '@Algorithm': 'http://www.w3.org/2001/04/xmlenc#sha512' },
        DigestValue: digest,
      },
    ],
  };
}

/** The vehicle's -20 CertificateInstallationReq: its OEM provisioning chain, signed with the provisioning key. */
function vehicleRequest(pki: PkiPaths): Doc {
  const chain = {
    '@Id': 'oemChain',
    Certificate: der64(pki.byId['vehicle-leaf'].cert),
    SubCertificates: { Certificate: [der64(pki.byId['oem-sub'].cert)] },
  };
  const info = signedInfo('oemChain', sha512(encodeExiFragment('cm', { OEMProvisioningCertificateChain: chain })));
  const key = createPrivateKey(readFileSync(pki.byId['vehicle-leaf'].key, 'utf8'));
  const signature = sign('sha512', encodeExiFragment('xmldsig', { SignedInfo: info }), { key, dsaEncoding: 'ieee-p1363' });
  return {
    CertificateInstallationReq: {
      Header: {
        SessionID: SESSION,
        TimeStamp: 1_764_000_000,
        Signature: { SignedInfo: info, SignatureValue: { '#text': signature.toString('base64') } },
      },
      OEMProvisioningCertificateChain: chain,
      ListOfRootCertificateIDs: { RootCertificateID: [rootId(cert(pki.v2gRootCert))] },
      MaximumContractCertificateChains: 1,
    },
  };
}

/** What the charger checks of a decoded request; the first problem found, or undefined. */
function chargerCheck(req: Doc, pki: PkiPaths): string | undefined {
  const { Header, OEMProvisioningCertificateChain: chain } = req.CertificateInstallationReq;
  const ref = Header.Signature.SignedInfo.Reference[0];
  if (ref['@URI'] !== `#${chain['@Id']}`) return 'the signature does not reference the chain';
  const digest = sha512(encodeExiFragment('cm', { OEMProvisioningCertificateChain: chain }));
  if (digest !== ref.DigestValue) return 'digest differs';
  const leaf = new X509Certificate(fromB64(chain.Certificate));
  const sub = new X509Certificate(fromB64(chain.SubCertificates.Certificate[0]));
  const signed = encodeExiFragment('xmldsig', { SignedInfo: Header.Signature.SignedInfo });
  const sig = fromB64(Header.Signature.SignatureValue['#text']);
  if (!verify('sha512', signed, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, sig)) return 'signature invalid';
  if (!leaf.verify(sub.publicKey) || !sub.verify(cert(pki.oemRootCert).publicKey)) return 'chain not rooted in the OEM root';
  return undefined;
}

describe('CertificateInstallation with the test PKI (codec and -20 signature)', function () {
  let pki: PkiPaths;
  before(async function () {
    pki = await ensureTestPki();
  });

  it('-20: the signed request encodes, decodes equal, fits a V2GTP payload and passes the charger-side checks', function () {
    const req = vehicleRequest(pki);
    const bytes = encodeExi('cm', req);
    expect(bytes.length).to.be.below(DEFAULT_MAX_PAYLOAD);
    const back = decodeExi('cm', bytes);
    expect(back).to.deep.equal(req);
    expect(b64(encodeExi('cm', back))).to.equal(b64(bytes));
    expect(chargerCheck(back, pki)).to.equal(undefined);
    expect(cert(pki.byId['vehicle-leaf'].cert).subject).to.contain('CN=MCSHILVEHICLE00001'); // the PCID
  });

  it('-20: a changed certificate byte or a foreign signing key is caught by the charger-side checks', function () {
    const req = decodeExi('cm', encodeExi('cm', vehicleRequest(pki))) as Doc;
    const chain = req.CertificateInstallationReq.OEMProvisioningCertificateChain;
    const der = fromB64(chain.Certificate);
    der[der.length - 10] ^= 0x01;
    expect(
      chargerCheck(
        {
          ...req,
          CertificateInstallationReq: {
            ...req.CertificateInstallationReq,
            OEMProvisioningCertificateChain: { ...chain, Certificate: b64(der) },
          },
        },
        pki,
      ),
    ).to.equal('digest differs');
    const foreign = createPrivateKey(readFileSync(pki.byId['secc-leaf'].key, 'utf8'));
    const info = req.CertificateInstallationReq.Header.Signature.SignedInfo;
    const forged = sign('sha512', encodeExiFragment('xmldsig', { SignedInfo: info }), { key: foreign, dsaEncoding: 'ieee-p1363' });
    req.CertificateInstallationReq.Header.Signature.SignatureValue = { '#text': forged.toString('base64') };
    expect(chargerCheck(req, pki)).to.equal('signature invalid');
  });

  it('-20: the response (CPS chain, contract chain, SECP521 key agreement data) round-trips', function () {
    const dh = createECDH('secp521r1');
    const res = {
      CertificateInstallationRes: {
        Header: { SessionID: SESSION, TimeStamp: 1_764_000_001 },
        ResponseCode: 'OK',
        EVSEProcessing: 'Finished',
        CPSCertificateChain: { Certificate: der64(pki.byId['secc-leaf'].cert) },
        SignedInstallationData: {
          '@Id': 'install',
          ContractCertificateChain: {
            Certificate: der64(pki.byId['vehicle-leaf'].cert),
            SubCertificates: { Certificate: [der64(pki.byId['oem-sub'].cert)] },
          },
          ECDHCurve: 'SECP521',
          DHPublicKey: dh.generateKeys('base64'), // 133 bytes, uncompressed point
          SECP521_EncryptedPrivateKey: b64(new Uint8Array(94).fill(0x5a)),
        },
        RemainingContractCertificateChains: 0,
      },
    };
    const bytes = encodeExi('cm', res);
    expect(bytes.length).to.be.below(DEFAULT_MAX_PAYLOAD);
    expect(decodeExi('cm', bytes)).to.deep.equal(res);
    const data = res.CertificateInstallationRes.SignedInstallationData;
    expect(decodeExiFragment('cm', encodeExiFragment('cm', { SignedInstallationData: data }))).to.deep.equal({
      SignedInstallationData: data,
    });
  });

  it('-2: the request (OEM provisioning certificate, root ids) round-trips in the ISO 15118-2 grammar', function () {
    const leaf = cert(pki.byId['vehicle-leaf'].cert);
    const req = {
      V2G_Message: {
        Header: { SessionID: SESSION },
        Body: {
          CertificateInstallationReq: {
            '@Id': 'req',
            OEMProvisioningCert: b64(u8(leaf.raw)),
            ListOfRootCertificateIDs: { RootCertificateID: [rootId(cert(pki.v2gRootCert))] },
          },
        },
      },
    };
    const back = decodeExi('iso2', encodeExi('iso2', req)) as Doc;
    expect(back).to.deep.equal(req);
    const der = fromB64(back.V2G_Message.Body.CertificateInstallationReq.OEMProvisioningCert);
    expect(new X509Certificate(der).fingerprint256).to.equal(leaf.fingerprint256);
  });
});
