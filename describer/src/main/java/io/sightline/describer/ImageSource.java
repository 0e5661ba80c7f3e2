package io.sightline.describer;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ImageTooLargeException;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the pixels of a reference image come from: a file (external storage), bytes (a user's
 * upload) or a URL (a network image). Each source implies a default {@link Origin}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageSource {
  private enum Kind { PATH, BYTES, URL }

  private final Kind kind;
  private final Path path;
  private final byte[] bytes;
  private final URI uri;
  private final String name;
  private final UrlPolicy urls;

  private ImageSource(Kind kind, Path path, byte[] bytes, URI uri, String name, UrlPolicy urls) {
    this.kind = kind;
    this.path = path;
    this.bytes = bytes;
    this.uri = uri;
    this.name = name;
    this.urls = urls;
  }

  /**
   * @param path an image file
   * @return a source reading the file (origin {@link Origin#EXTERNAL_STORAGE})
   */
  public static ImageSource ofPath(Path path) {
    Objects.requireNonNull(path, "path");
    return new ImageSource(Kind.PATH, path, null, null, path.toString(), null);
  }

  /**
   * @param bytes encoded image bytes (copied)
   * @param name a name for messages and for the stored location, e.g. the upload's file name
   * @return a source decoding the bytes (origin {@link Origin#USER})
   */
  public static ImageSource ofBytes(byte[] bytes, String name) {
    Objects.requireNonNull(bytes, "bytes");
    return new ImageSource(Kind.BYTES, null, bytes.clone(), null,
        name == null ? "upload" : name, null);
  }

  /**
   * A network image you chose, fetched with {@link HttpClient} when the store ingests it (never at
   * query time). The URL's own host is allowed, whatever address it has; redirects are followed
   * only to that host. The download is limited to the loader's byte budget and to
   * {@code timeout} in all.
   *
   * @param uri http or https URL of the image
   * @param timeout time budget of the download, redirects included (null: 20 s)
   * @return a source fetching the URL (origin {@link Origin#NETWORK})
   */
  public static ImageSource ofUrl(URI uri, Duration timeout) {
    Objects.requireNonNull(uri, "uri");
    checkScheme(uri);
    UrlPolicy own = new UrlPolicy(uri.getHost() == null ? java.util.Set.of() : java.util.Set.of(uri.getHost()),
        true, timeout == null ? Duration.ofSeconds(20) : timeout);
    return new ImageSource(Kind.URL, null, null, uri, uri.toString(), own);
  }

  /**
   * A network image fetched under a policy (for URLs that come from input files): hosts not on the
   * list, internal addresses (unless allowed) and redirects elsewhere are refused when the image is
   * loaded.
   *
   * @param uri http or https URL of the image
   * @param policy hosts, address rule and time budget
   * @return a source fetching the URL (origin {@link Origin#NETWORK})
   */
  public static ImageSource ofUrl(URI uri, UrlPolicy policy) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(policy, "policy");
    checkScheme(uri);
    return new ImageSource(Kind.URL, null, null, uri, uri.toString(), policy);
  }

  private static void checkScheme(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("only http and https image URLs are supported: " + uri);
    }
  }

  /** @return the default origin of this kind of source */
  public Origin defaultOrigin() {
    return switch (kind) {
      case PATH -> Origin.EXTERNAL_STORAGE;
      case BYTES -> Origin.USER;
      case URL -> Origin.NETWORK;
    };
  }

  /** @return a printable location: the path, the URL, or the upload's name */
  public String location() {
    return name;
  }

  /**
   * Reads and decodes the image.
   *
   * @param loader the decoder with its size limits
   * @return the image (TYPE_INT_RGB)
   * @throws ImageDecodeException when the file is missing, the download fails, or the bytes are
   *     not an image
   */
  public BufferedImage load(ImageLoader loader) {
    return switch (kind) {
      case PATH -> {
        if (!Files.isRegularFile(path)) {
          throw new ImageDecodeException(path + ": image file not found");
        }
        yield loader.load(path);
      }
      case BYTES -> loader.load(bytes);
      case URL -> loader.load(fetch(loader.maxBytes()));
    };
  }

  private byte[] fetch(long maxBytes) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(urls.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    long deadline = System.nanoTime() + urls.timeout().toNanos();
    URI at = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      urls.check(at);
      URI requested = at;
      HttpRequest req = HttpRequest.newBuilder(requested).timeout(urls.timeout()).GET().build();
      java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(req,
          info -> info.statusCode() == 200 ? new LimitedBody(requested, maxBytes)
              : HttpResponse.BodySubscribers.replacing(new byte[0]));
      HttpResponse<byte[]> resp;
      try {
        resp = call.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        call.cancel(true);
        throw new ImageDecodeException(uri + ": download took longer than " + urls.timeout().toSeconds()
            + " s (the time budget of one image)", e);
      } catch (InterruptedException e) {
        call.cancel(true);
        Thread.currentThread().interrupt();
        throw new ImageDecodeException(uri + ": download interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r && r instanceof io.sightline.core.SightlineException) {
          throw r;
        }
        String why = c == null ? null : c.getMessage();
        throw new ImageDecodeException(uri + ": download failed: "
            + (why == null || why.isBlank() ? (c == null ? "unknown error" : c.getClass().getSimpleName()) : why), c);
      }
      int status = resp.statusCode();
      if (status == 200) {
        return resp.body();
      }
      if (status >= 300 && status < 400 && resp.headers().firstValue("Location").isPresent()) {
        at = at.resolve(resp.headers().firstValue("Location").get());
        continue;
      }
      throw new ImageDecodeException(uri + ": HTTP status " + status);
    }
    throw new ImageDecodeException(uri + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private static final int MAX_REDIRECTS = 5;

  /** Collects a response body up to a byte budget, cancelling the download beyond it. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final URI uri;
    private final long max;
    private final java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    private java.util.concurrent.Flow.Subscription subscription;

    LimitedBody(URI uri, long max) {
      this.uri = uri;
      this.max = max;
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(java.util.List<java.nio.ByteBuffer> items) {
      for (java.nio.ByteBuffer b : items) {
        int n = b.remaining();
        if (out.size() + (long) n > max) {
          subscription.cancel();
          result.completeExceptionally(new ImageTooLargeException(uri + ": more than " + max + " bytes"));
          return;
        }
        byte[] a = new byte[n];
        b.get(a);
        out.write(a, 0, n);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }
}
