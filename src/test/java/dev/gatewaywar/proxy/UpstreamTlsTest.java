package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.testing.GatewayArchive;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestPki;
import dev.gatewaywar.testing.TlsUpstream;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A route's {@code tls:} (docs/security.md, Upstream TLS) against real TLS upstreams on loopback
 * whose certificates come from a private CA made for the test: one that only serves, one that also
 * requires a client certificate. Each upstream answers with the SNI it got and the client
 * certificate's subject, so the test sees what the gateway presented.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamTlsTest {
  private static TlsUpstream serving;
  private static TlsUpstream mutual;

  @ArquillianResource private URL base;

  @Deployment(testable = false)
  static WebArchive gateway() throws Exception {
    Path dir = Files.createTempDirectory("upstream-tls");
    TestPki serverCa = TestPki.ca("upstream CA");
    TestPki clientCa = TestPki.ca("gateway clients CA");
    TestPki.Issued server = serverCa.server("upstream.test", "127.0.0.1");
    TestPki.Issued client = clientCa.client("gateway-test-client");
    Path caFile = serverCa.writeCertificate(dir.resolve("upstream-ca.pem"));
    Path certFile = TestPki.writePem(dir.resolve("client.pem"), client.certificate());
    Path keyFile = TestPki.writeKey(dir.resolve("client-key.pem"), client);
    serving = TlsUpstream.start(TestPki.serverContext(server), false);
    mutual = TlsUpstream.start(TestPki.serverContext(server, clientCa.certificate()), true);
    String one = serving.url();
    String two = mutual.url();
    return GatewayArchive.withConfig(
        "ROOT.war",
        """
        routes:
          - path: /default/*
            target: %1$s
          - path: /trusted/*
            target: %1$s
            tls:
              ca_file: %3$s
          - path: /named/*
            target: %1$s
            tls:
              ca_file: %3$s
              server_name: upstream.test
          - path: /wrong-name/*
            target: %1$s
            tls:
              ca_file: %3$s
              server_name: other.test
          - path: /no-cert/*
            target: %2$s
            tls:
              ca_file: %3$s
          - path: /with-cert/*
            target: %2$s
            tls:
              ca_file: %3$s
              cert_file: %4$s
              key_file: %5$s
        """
            .formatted(one, two, caFile, certFile, keyFile));
  }

  @AfterAll
  static void stopUpstreams() {
    serving.close();
    mutual.close();
  }

  private RawHttp.Response get(String path) throws IOException {
    return RawHttp.send(
        base.getPort(), "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  @Test
  void aPrivateCaIsNotTrustedWithoutCaFile() throws Exception {
    RawHttp.Response r = get("/default/x");
    assertEquals(502, r.status(), r.body());
  }

  @Test
  void caFileMakesThePrivateCaTrusted() throws Exception {
    RawHttp.Response r = get("/trusted/x");
    assertEquals(200, r.status(), r.body());
    assertEquals(
        "path=/trusted/x;sni=none;client=none",
        r.body(),
        "an IP address is verified, not sent as SNI");
  }

  @Test
  void serverNameIsSentAsSniAndVerified() throws Exception {
    RawHttp.Response r = get("/named/x");
    assertEquals(200, r.status(), r.body());
    assertEquals("path=/named/x;sni=upstream.test;client=none", r.body());
  }

  @Test
  void aServerNameTheCertificateDoesNotCarryFailsVerification() throws Exception {
    assertEquals(502, get("/wrong-name/x").status());
  }

  @Test
  void anUpstreamRequiringClientCertificatesAnswersOnlyWithCertAndKey() throws Exception {
    RawHttp.Response refused = get("/no-cert/x");
    assertEquals(502, refused.status(), refused.body());
    RawHttp.Response r = get("/with-cert/x");
    assertEquals(200, r.status(), r.body());
    assertEquals("path=/with-cert/x;sni=none;client=CN=gateway-test-client", r.body());
  }

  /**
   * Connections are pooled per TLS settings, not only per address: a connection made with one
   * route's trust or client certificate, kept alive after its request, never carries another
   * route's request to the same upstream.
   */
  @Test
  void routesToOneUpstreamWithOtherTlsSettingsShareNoConnection() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/trusted/x").status());
      assertEquals(502, get("/default/x").status());
      assertEquals(200, get("/with-cert/x").status());
      RawHttp.Response refused = get("/no-cert/x");
      assertEquals(502, refused.status(), refused.body());
    }
  }
}
