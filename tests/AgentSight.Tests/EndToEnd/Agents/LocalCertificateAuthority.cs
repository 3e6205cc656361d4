using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentSight.Tests.Agents;

/// <summary>
/// A throw-away certificate authority and a server certificate it signed for <c>127.0.0.1</c> and <c>localhost</c>,
/// made in memory. The agents are told to trust <see cref="CaCertificatePath"/> (PEM); the server presents
/// <see cref="ServerCertificate"/>. rustls (Codex) insists on a real chain: a self-signed leaf is not accepted as its
/// own trust anchor, and the CA needs <c>basicConstraints CA:TRUE</c> and <c>keyCertSign</c>.
/// </summary>
public sealed class LocalCertificateAuthority : IDisposable
{
    private LocalCertificateAuthority(X509Certificate2 ca, X509Certificate2 server, string caPath)
    {
        CaCertificate = ca;
        ServerCertificate = server;
        CaCertificatePath = caPath;
    }

    /// <summary>The CA's certificate, without its key.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The server's certificate with its private key, usable by a TLS server.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The CA's certificate as a PEM file (what <c>NODE_EXTRA_CA_CERTS</c> and friends point at).</summary>
    public string CaCertificatePath { get; }

    /// <summary>Makes the CA and the server certificate, and writes <c>ca.crt</c> (and <c>server.crt</c>) into <paramref name="folder"/>.</summary>
    public static LocalCertificateAuthority Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=AgentSight test CA, O=AgentSight tests", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var caKeyId = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false);
        caRequest.CertificateExtensions.Add(caKeyId);
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build(critical: false));
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caKeyId));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var signed = serverRequest.Create(ca, now.AddHours(-1), now.AddDays(1), serial);
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        // A key made in memory is ephemeral, which TLS servers cannot always use: round-trip it through PKCS#12.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);

        var caPath = Path.Combine(folder, "ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(folder, "server.crt"), server.ExportCertificatePem() + "\n");
        return new LocalCertificateAuthority(X509CertificateLoader.LoadCertificate(ca.RawData), server, caPath);
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        ServerCertificate.Dispose();
    }
}
