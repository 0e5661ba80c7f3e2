package io.sightline.posters.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads one file out of a Qt binary resource file ({@code .rcc}, versions 1 to 3), the way
 * GCompris ships its images in Debian's {@code gcompris-qt-data}: a "qres" header, a tree of
 * 14- or 22-byte nodes, UTF-16 names and zlib-compressed data. Used by the evaluation only, to
 * read photos straight from the unpacked package.
 */
final class QtResourceFile {
  private final ByteBuffer b;
  private final int tree;
  private final int data;
  private final int names;
  private final int node;

  QtResourceFile(Path file) throws IOException {
    b = ByteBuffer.wrap(Files.readAllBytes(file));
    if (b.remaining() < 20 || b.getInt(0) != 0x71726573) { // "qres"
      throw new IOException(file + ": not a Qt resource file");
    }
    int version = b.getInt(4);
    tree = b.getInt(8);
    data = b.getInt(12);
    names = b.getInt(16);
    node = version >= 2 ? 22 : 14;
  }

  /**
   * @param path a path inside the resource file, e.g. {@code gcompris/src/activities/erase/resource/bee.webp}
   * @return the file's bytes, decompressed
   */
  byte[] read(String path) throws IOException {
    int i = 0;
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      int p = tree + i * node;
      if ((b.getShort(p + 4) & 2) == 0) {
        throw new IOException("not a folder on the way to " + path);
      }
      int count = b.getInt(p + 6);
      int first = b.getInt(p + 10);
      int found = -1;
      for (int c = first; c < first + count && found < 0; c++) {
        if (name(c).equals(part)) {
          found = c;
        }
      }
      if (found < 0) {
        throw new IOException("no " + part + " in the resource file (looking for " + path + ")");
      }
      i = found;
    }
    int p = tree + i * node;
    int flags = b.getShort(p + 4);
    if ((flags & 2) != 0) {
      throw new IOException(path + " is a folder");
    }
    int q = data + b.getInt(p + 10);
    int size = b.getInt(q);
    byte[] raw = new byte[size];
    b.get(q + 4, raw);
    if ((flags & 4) != 0) {
      throw new IOException(path + ": zstd-compressed entries are not supported");
    }
    return (flags & 1) != 0 ? inflate(raw) : raw;
  }

  private String name(int index) {
    int q = names + b.getInt(tree + index * node);
    int len = b.getShort(q) & 0xFFFF;
    byte[] s = new byte[2 * len];
    b.get(q + 6, s);
    return new String(s, StandardCharsets.UTF_16BE);
  }

  private static byte[] inflate(byte[] raw) throws IOException {
    // 4 bytes of uncompressed size, then a zlib stream
    Inflater inf = new Inflater();
    inf.setInput(raw, 4, raw.length - 4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    try {
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new IOException("truncated zlib stream");
        }
        out.write(buf, 0, n);
      }
    } catch (DataFormatException e) {
      throw new IOException("bad zlib stream: " + e.getMessage(), e);
    } finally {
      inf.end();
    }
    return out.toByteArray();
  }
}
