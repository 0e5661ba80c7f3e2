package io.sightline.describer;

import io.sightline.core.InputFormatException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a text file line by line, decoding each line strictly as UTF-8 on its own, so a line
 * that is not UTF-8 is reported with its exact number and the lines after it still read.
 */
final class Utf8Lines {
  private Utf8Lines() {}

  /** Receives lines. */
  interface Visitor {
    /**
     * @param line 1-based line number
     * @param text the decoded line (without its end), or null when it is not UTF-8
     */
    void line(long line, String text);
  }

  static void read(Path file, Visitor visitor) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
      long line = 0;
      int b;
      boolean any = false;
      while (true) {
        b = in.read();
        if (b == '\n' || b < 0) {
          if (b < 0 && !any) {
            break;
          }
          line++;
          byte[] bytes = buf.toByteArray();
          int len = bytes.length;
          if (len > 0 && bytes[len - 1] == '\r') {
            len--;
          }
          String text;
          try {
            text = dec.reset().decode(ByteBuffer.wrap(bytes, 0, len)).toString();
            if (line == 1 && text.startsWith("\uFEFF")) {
              text = text.substring(1);
            }
          } catch (CharacterCodingException e) {
            text = null;
          }
          visitor.line(line, text);
          buf.reset();
          any = false;
          if (b < 0) {
            break;
          }
        } else {
          buf.write(b);
          any = true;
        }
      }
    } catch (NoSuchFileException e) {
      throw new InputFormatException(file, 0, "file not found", e);
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }
}
