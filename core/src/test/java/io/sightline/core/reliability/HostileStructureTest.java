package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.ImageTooLargeException;
import io.sightline.core.SightlineException;
import io.sightline.core.TestImages;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hand-crafted malformed structures, format by format: TIFF directory loops, long directory
 * chains, self-referencing sub-directories, absurd counts, tile sizes and strip offsets; WebP
 * with absurd canvas sizes, chunk sizes past the end, truncation at every point, animation; PNG
 * with 100,000 chunks and compressed-text bombs; JPEG, GIF and BMP headers declaring huge images.
 *
 * <p>Every case must end in a typed {@link SightlineException} or a valid image, within a time
 * budget (each case runs on its own thread and is abandoned after {@link #TIME_BUDGET}) and a
 * memory budget (bytes the decoding thread allocated, measured with the JVM's per-thread
 * allocation counter). The worst figures are logged and recorded in BENCHMARKS.md.
 */
class HostileStructureTest {
  private static final Logger LOG = LoggerFactory.getLogger(HostileStructureTest.class);
  private static final ImageLoader LOADER = ImageLoader.withLimits(20_000_000, 8 << 20);
  private static final Duration TIME_BUDGET = Duration.ofSeconds(20);
  /** A legitimate 20 MP decode needs about 240 MB (raw raster + RGB copy); hostile input gets that. */
  private static final long ALLOCATION_BUDGET = 256L << 20;
  private static final Path FORMATS = Path.of("../testdata/formats");
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hostile-decode");
    t.setDaemon(true); // a case that overran its budget must not keep the JVM alive
    return t;
  });

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  /** The outcome of one case. */
  record Outcome(String name, String result, long millis, long allocatedBytes) {}

  private static Outcome decode(String name, byte[] bytes) throws Exception {
    Future<Outcome> f = POOL.submit(() -> {
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().getId();
      long a0 = mx.getThreadAllocatedBytes(id);
      long t0 = System.nanoTime();
      String result;
      try {
        BufferedImage img = LOADER.load(bytes);
        result = "image " + img.getWidth() + "x" + img.getHeight();
      } catch (SightlineException e) {
        assertThat(e.getMessage()).isNotBlank();
        result = e.getClass().getSimpleName();
      } catch (Throwable t) {
        result = "UNEXPECTED " + t;
      }
      return new Outcome(name, result, (System.nanoTime() - t0) / 1_000_000, mx.getThreadAllocatedBytes(id) - a0);
    });
    try {
      return f.get(TIME_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Outcome(name, "TIMEOUT after " + TIME_BUDGET, TIME_BUDGET.toMillis(), -1);
    }
  }

  private static List<Outcome> run(Map<String, byte[]> cases) throws Exception {
    List<Outcome> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      out.add(decode(c.getKey(), c.getValue()));
    }
    long worstMs = out.stream().mapToLong(Outcome::millis).max().orElse(0);
    long worstAlloc = out.stream().mapToLong(Outcome::allocatedBytes).max().orElse(0);
    LOG.info("{} hostile structures: worst {} ms, worst {} MB allocated; {}", out.size(), worstMs,
        worstAlloc >> 20, out);
    for (Outcome o : out) {
      assertThat(o.result()).as(o.name()).doesNotStartWith("UNEXPECTED").doesNotStartWith("TIMEOUT");
      assertThat(o.allocatedBytes()).as(o.name() + " bytes allocated").isLessThan(ALLOCATION_BUDGET);
    }
    return out;
  }

  private static Outcome find(List<Outcome> outcomes, String name) {
    return outcomes.stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------ TIFF

  /** One little-endian TIFF directory entry: type (3 SHORT, 4 LONG), count, value or offset. */
  private record Entry(int type, long count, long value) {}

  /**
   * A baseline grey TIFF of {@code w x h} with one strip at offset 8, followed by {@code chain}
   * directories (each the same entries plus {@code extra}); the last one points to
   * {@code lastNext} (0 ends the chain; an earlier directory's offset makes a loop).
   */
  private static byte[] tiff(long w, long h, Map<Integer, Entry> extra, int chain, int loopTo) {
    int pixels = (int) Math.min(w * h, 256);
    TreeMap<Integer, Entry> entries = new TreeMap<>();
    entries.put(256, new Entry(4, 1, w));
    entries.put(257, new Entry(4, 1, h));
    entries.put(258, new Entry(3, 1, 8));
    entries.put(259, new Entry(3, 1, 1));
    entries.put(262, new Entry(3, 1, 1));
    entries.put(273, new Entry(4, 1, 8));
    entries.put(277, new Entry(3, 1, 1));
    entries.put(278, new Entry(4, 1, h));
    entries.put(279, new Entry(4, 1, pixels));
    for (Map.Entry<Integer, Entry> e : extra.entrySet()) {
      if (e.getValue() == null) {
        entries.remove(e.getKey());
      } else {
        entries.put(e.getKey(), e.getValue());
      }
    }
    int ifdSize = 2 + 12 * entries.size() + 4;
    int first = 8 + pixels + (pixels % 2);
    ByteBuffer b = ByteBuffer.allocate(first + ifdSize * chain).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(first);
    for (int i = 0; i < pixels; i++) {
      b.put((byte) (i * 7));
    }
    for (int k = 0; k < chain; k++) {
      b.position(first + k * ifdSize);
      b.putShort((short) entries.size());
      for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
        Entry v = e.getValue();
        b.putShort((short) (int) e.getKey()).putShort((short) v.type()).putInt((int) v.count());
        if (v.type() == 3 && v.count() == 1) {
          b.putShort((short) v.value()).putShort((short) 0);
        } else {
          b.putInt((int) v.value());
        }
      }
      int next = k + 1 < chain ? first + (k + 1) * ifdSize : loopTo < 0 ? 0 : first + loopTo * ifdSize;
      b.putInt(next);
    }
    return b.array();
  }

  private static Map<Integer, Entry> with(Object... tagEntry) {
    Map<Integer, Entry> m = new LinkedHashMap<>();
    for (int i = 0; i < tagEntry.length; i += 2) {
      m.put((Integer) tagEntry[i], (Entry) tagEntry[i + 1]);
    }
    return m;
  }

  @Test
  void malformedTiffDirectories() throws Exception {
    int firstIfd = 8 + 16 * 16;
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("valid 16x16", tiff(16, 16, Map.of(), 1, -1));
    cases.put("directory points to itself", tiff(16, 16, Map.of(), 1, 0));
    cases.put("loop of two directories", tiff(16, 16, Map.of(), 2, 0));
    cases.put("chain of 20000 directories", tiff(16, 16, Map.of(), 20_000, -1));
    cases.put("chain of 5000 directories looping to the first", tiff(16, 16, Map.of(), 5_000, 0));
    cases.put("SubIFDs points to its own directory", tiff(16, 16, with(330, new Entry(4, 1, firstIfd)), 1, -1));
    cases.put("EXIF directory points to its parent", tiff(16, 16, with(34665, new Entry(4, 1, firstIfd)), 1, -1));
    cases.put("GPS directory points to its parent", tiff(16, 16, with(34853, new Entry(4, 1, firstIfd)), 1, -1));
    cases.put("100000 x 100000 declared (bomb)", tiff(100_000, 100_000, Map.of(), 1, -1));
    cases.put("zero width", tiff(0, 16, Map.of(), 1, -1));
    cases.put("strip offset past the end", tiff(16, 16, with(273, new Entry(4, 1, 0x7FFF_FFF0L)), 1, -1));
    cases.put("strip byte count 4 GB", tiff(16, 16, with(279, new Entry(4, 1, 0xFFFF_FFFFL)), 1, -1));
    cases.put("BitsPerSample count 2^31-1", tiff(16, 16, with(258, new Entry(3, 0x7FFF_FFFFL, 8)), 1, -1));
    cases.put("StripOffsets count 2^30", tiff(16, 16, with(273, new Entry(4, 1L << 30, 8)), 1, -1));
    cases.put("SamplesPerPixel 65535", tiff(16, 16, with(277, new Entry(3, 1, 65_535)), 1, -1));
    cases.put("BitsPerSample 0", tiff(16, 16, with(258, new Entry(3, 1, 0)), 1, -1));
    cases.put("BitsPerSample 64", tiff(16, 16, with(258, new Entry(3, 1, 64)), 1, -1));
    cases.put("unknown compression 65000", tiff(16, 16, with(259, new Entry(3, 1, 65_000)), 1, -1));
    cases.put("LZW over garbage", tiff(16, 16, with(259, new Entry(3, 1, 5)), 1, -1));
    cases.put("Deflate over garbage", tiff(16, 16, with(259, new Entry(3, 1, 8)), 1, -1));
    cases.put("65536 x 65536 tiles on a 16x16 image", tiff(16, 16, with(273, null, 278, null, 279, null,
        322, new Entry(4, 1, 65_536), 323, new Entry(4, 1, 65_536), 324, new Entry(4, 1, 8),
        325, new Entry(4, 1, 256)), 1, -1));
    cases.put("RowsPerStrip 0", tiff(16, 16, with(278, new Entry(4, 1, 0)), 1, -1));
    cases.put("palette image without a palette", tiff(16, 16, with(262, new Entry(3, 1, 3)), 1, -1));
    cases.put("first directory offset past the end", patchInt(tiff(16, 16, Map.of(), 1, -1), 4, 0x7FFF_FFF0));
    cases.put("directory with 65535 entries", patchShort(tiff(16, 16, Map.of(), 1, -1), firstIfd, 0xFFFF));
    List<Outcome> out = run(cases);
    assertThat(find(out, "valid 16x16").result()).isEqualTo("image 16x16");
    assertThat(find(out, "100000 x 100000 declared (bomb)").result())
        .isEqualTo(ImageTooLargeException.class.getSimpleName());
  }

  // ------------------------------------------------------------------ WebP

  private static byte[] riff(String fourcc, byte[]... chunks) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
    for (byte[] c : chunks) {
      body.writeBytes(c);
    }
    ByteBuffer b = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(fourcc.getBytes(StandardCharsets.US_ASCII)).putInt(body.size()).put(body.toByteArray());
    return b.array();
  }

  private static byte[] chunk(String fourcc, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + data.length + (data.length % 2)).order(ByteOrder.LITTLE_ENDIAN);
    b.put(fourcc.getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
    return b.array();
  }

  /** A VP8L header (signature, 14-bit width-1 and height-1, alpha, version 0) and some payload. */
  private static byte[] vp8l(int w, int h, int payload) {
    long bits = (w - 1L) | ((h - 1L) << 14);
    byte[] d = new byte[5 + payload];
    d[0] = 0x2F;
    for (int i = 0; i < 4; i++) {
      d[1 + i] = (byte) (bits >>> (8 * i));
    }
    for (int i = 5; i < d.length; i++) {
      d[i] = (byte) (i * 31);
    }
    return d;
  }

  /** A VP8X chunk declaring a {@code w x h} canvas (24-bit fields). */
  private static byte[] vp8x(int flags, int w, int h) {
    byte[] d = new byte[10];
    d[0] = (byte) flags;
    for (int i = 0; i < 3; i++) {
      d[4 + i] = (byte) ((w - 1) >>> (8 * i));
      d[7 + i] = (byte) ((h - 1) >>> (8 * i));
    }
    return d;
  }

  @Test
  void malformedWebp() throws Exception {
    byte[] lossless = Files.readAllBytes(FORMATS.resolve("coffee-lossless.webp"));
    byte[] lossy = Files.readAllBytes(FORMATS.resolve("chelsea-lossy.webp"));
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("valid lossless", lossless);
    cases.put("valid lossy", lossy);
    cases.put("animated, two frames", Files.readAllBytes(FORMATS.resolve("animated.webp")));
    cases.put("VP8L 16384 x 16384 declared (bomb)", riff("RIFF", chunk("VP8L", vp8l(16_384, 16_384, 64))));
    cases.put("VP8L 1x1 with garbage bitstream", riff("RIFF", chunk("VP8L", vp8l(1, 1, 16))));
    cases.put("VP8X canvas 2^24 x 2^24 (bomb)", riff("RIFF", chunk("VP8X", vp8x(0, 1 << 24, 1 << 24)),
        chunk("VP8L", vp8l(4, 4, 32))));
    cases.put("VP8X canvas smaller than its image", riff("RIFF", chunk("VP8X", vp8x(0, 1, 1)),
        Arrays.copyOfRange(lossless, 12, lossless.length)));
    cases.put("VP8X animation flag without frames", riff("RIFF", chunk("VP8X", vp8x(0x02, 64, 64))));
    cases.put("RIFF size 4 GB", patchInt(lossless.clone(), 4, 0xFFFF_FFFF));
    cases.put("RIFF size 0", patchInt(lossless.clone(), 4, 0));
    cases.put("VP8L chunk size past the end", patchInt(lossless.clone(), 16, 0x7FFF_FFF0));
    cases.put("VP8 chunk size past the end", patchInt(lossy.clone(), 16, 0x7FFF_FFF0));
    cases.put("VP8 16383 x 16383 declared (bomb)", patchShort(patchShort(lossy.clone(), 26, 0x3FFF), 28, 0x3FFF));
    cases.put("VP8 zero width", patchShort(lossy.clone(), 26, 0));
    cases.put("VP8 bad start code", patchShort(lossy.clone(), 23, 0));
    cases.put("unknown image chunk only", riff("RIFF", chunk("VP9 ", new byte[64])));
    cases.put("RIFF without chunks", riff("RIFF"));
    for (int cut = 13; cut < lossless.length; cut += 487) {
      cases.put("lossless truncated at " + cut, Arrays.copyOf(lossless, cut));
    }
    for (int cut = 13; cut < lossy.length; cut += 157) {
      cases.put("lossy truncated at " + cut, Arrays.copyOf(lossy, cut));
    }
    List<Outcome> out = run(cases);
    assertThat(find(out, "valid lossless").result()).isEqualTo("image 96x64");
    assertThat(find(out, "valid lossy").result()).startsWith("image 160x");
    assertThat(find(out, "animated, two frames").result()).isEqualTo("image 48x32");
    for (String bomb : List.of("VP8L 16384 x 16384 declared (bomb)", "VP8X canvas 2^24 x 2^24 (bomb)",
        "VP8 16383 x 16383 declared (bomb)")) {
      assertThat(find(out, bomb).result()).as(bomb).isEqualTo(ImageTooLargeException.class.getSimpleName());
    }
  }

  // ------------------------------------------------------------------ PNG, JPEG, GIF, BMP

  private static byte[] pngChunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.US_ASCII));
    crc.update(data);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Inserts chunks right after IHDR (signature 8 bytes + IHDR chunk 25 bytes). */
  private static byte[] pngWith(byte[] png, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    for (byte[] c : chunks) {
      out.writeBytes(c);
    }
    out.write(png, 33, png.length - 33);
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] prefix, int zeros) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(prefix);
    byte[] buf = new byte[1 << 16];
    byte[] block = new byte[1 << 16];
    for (int left = zeros; left > 0; left -= block.length) {
      d.setInput(block, 0, Math.min(block.length, left));
      while (!d.needsInput()) {
        out.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  @Test
  void malformedPngJpegGifBmpHeaders() throws Exception {
    BufferedImage img = TestImages.synthetic(9, 40, 30);
    byte[] png = TestImages.encode(img, "png");
    byte[] jpeg = TestImages.jpegBytes(img, 0.8f);
    byte[] gif = TestImages.encode(img, "gif");
    byte[] bmp = TestImages.encode(img, "bmp");
    Map<String, byte[]> cases = new LinkedHashMap<>();
    byte[][] texts = new byte[100_000][];
    Arrays.fill(texts, pngChunk("tEXt", "k\0v".getBytes(StandardCharsets.ISO_8859_1)));
    cases.put("PNG with 100000 tEXt chunks", pngWith(png, texts));
    cases.put("PNG zTXt inflating to 200 MB", pngWith(png,
        pngChunk("zTXt", deflate(new byte[] {'k', 0, 0}, 200 << 20))));
    cases.put("PNG iCCP inflating to 200 MB", pngWith(png,
        pngChunk("iCCP", deflate(new byte[] {'p', 0, 0}, 200 << 20))));
    cases.put("PNG chunk length 2^31-1", pngWith(png, patchIntBe(pngChunk("tEXt", new byte[4]), 0, 0x7FFF_FFFF)));
    cases.put("PNG IHDR bit depth 3", patchByte(png.clone(), 24, 3));
    cases.put("PNG IHDR colour type 7", patchByte(png.clone(), 25, 7));
    cases.put("PNG IHDR 2^31-1 wide", patchIntBe(png.clone(), 16, 0x7FFF_FFFF));
    cases.put("PNG without IDAT", Arrays.copyOf(png, 33));
    int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
    cases.put("JPEG SOF 65535 x 65535 (bomb)", patchShortBe(patchShortBe(jpeg.clone(), sof + 5, 0xFFFF), sof + 7, 0xFFFF));
    cases.put("JPEG SOF zero height", patchShortBe(jpeg.clone(), sof + 5, 0));
    cases.put("JPEG SOF 255 components", patchByte(jpeg.clone(), sof + 9, 255));
    cases.put("GIF logical screen 65535 x 65535", patchShort(patchShort(gif.clone(), 6, 0xFFFF), 8, 0xFFFF));
    int desc = gifImageDescriptor(gif);
    cases.put("GIF frame 65535 x 65535 (bomb)", patchShort(patchShort(gif.clone(), desc + 5, 0xFFFF), desc + 7, 0xFFFF));
    cases.put("BMP 100000 x -100000 (bomb)", patchInt(patchInt(bmp.clone(), 18, 100_000), 22, -100_000));
    cases.put("BMP 0 bits per pixel", patchShort(bmp.clone(), 28, 0));
    cases.put("BMP pixel offset past the end", patchInt(bmp.clone(), 10, 0x7FFF_FFF0));
    List<Outcome> out = run(cases);
    for (String bomb : List.of("JPEG SOF 65535 x 65535 (bomb)", "GIF frame 65535 x 65535 (bomb)",
        "BMP 100000 x -100000 (bomb)")) {
      assertThat(find(out, bomb).result()).as(bomb).isEqualTo(ImageTooLargeException.class.getSimpleName());
    }
  }

  // ------------------------------------------------------------------ byte patching

  private static int indexOf(byte[] b, byte x, byte y) {
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] == x && b[i + 1] == y) {
        return i;
      }
    }
    throw new IllegalArgumentException("marker not found");
  }

  /** Offset of the first image descriptor (0x2C): after the header, colour table and extensions. */
  private static int gifImageDescriptor(byte[] g) {
    int i = 13;
    if ((g[10] & 0x80) != 0) {
      i += 3 * (1 << ((g[10] & 7) + 1));
    }
    while (g[i] == 0x21) { // extension: introducer, label, then sub-blocks until a zero length
      i += 2;
      while (g[i] != 0) {
        i += (g[i] & 0xFF) + 1;
      }
      i++;
    }
    if (g[i] != 0x2C) {
      throw new IllegalArgumentException("no image descriptor at " + i);
    }
    return i;
  }

  private static byte[] patchByte(byte[] b, int at, int v) {
    b[at] = (byte) v;
    return b;
  }

  private static byte[] patchShort(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    return b;
  }

  private static byte[] patchInt(byte[] b, int at, int v) {
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    return b;
  }

  private static byte[] patchShortBe(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
    return b;
  }

  private static byte[] patchIntBe(byte[] b, int at, int v) {
    ByteBuffer.wrap(b).putInt(at, v);
    return b;
  }
}
