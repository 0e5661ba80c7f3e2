package io.sightline.posters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sightline.core.detect.Box;
import io.sightline.core.store.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a poster as PNG or JPEG next to a JSON report (crop box, centre rule, faces, salient box,
 * layer boxes, scores, bound link). Both files are encoded in memory first and then written
 * atomically (temp file, fsync, rename), so a crash never leaves a half-written poster. Thread-safe.
 */
public final class PosterWriter {
  /** Output image format. */
  public enum Format {
    /** Lossless PNG. */
    PNG,
    /** JPEG at quality 0.92. */
    JPEG;

    /** @return the file extension */
    public String extension() {
      return this == PNG ? "png" : "jpg";
    }

    /**
     * @param s "png", "jpg" or "jpeg" (any case)
     * @return the format
     */
    public static Format parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "png" -> PNG;
        case "jpg", "jpeg" -> JPEG;
        default -> throw new IllegalArgumentException("format '" + s + "' is not png or jpeg");
      };
    }
  }

  /**
   * Paths written for one poster.
   *
   * @param image the poster image
   * @param report the JSON report
   */
  public record Written(Path image, Path report) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PosterWriter() {}

  /**
   * @param poster a kept poster (with an image)
   * @return the file name stem: source id, template and, for video frames, the time in ms
   */
  public static String stem(Poster poster) {
    String src = poster.sourceId().replaceAll("\\.[A-Za-z0-9]{2,4}$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
    String t = poster.template().replaceAll("[^A-Za-z0-9_.-]", "_");
    String frame = Double.isNaN(poster.frameSeconds()) ? ""
        : String.format(Locale.ROOT, "-t%07d", Math.round(poster.frameSeconds() * 1000));
    return src + "-" + t + frame;
  }

  /**
   * Writes the poster image and its report into {@code dir} (created when missing).
   *
   * @param poster a poster with an image
   * @param dir output folder
   * @param format PNG or JPEG
   * @return the written paths
   * @throws PosterException when the poster has no image (it was dropped before rendering)
   * @throws io.sightline.core.StoreException when writing fails (nothing half-written stays)
   */
  public static Written write(Poster poster, Path dir, Format format) {
    if (poster.image() == null) {
      throw new PosterException("poster " + poster.sourceId() + "/" + poster.template()
          + " has no image: it was dropped before rendering (" + poster.score().reason() + ")");
    }
    byte[] img = encode(poster.image(), format);
    Path imagePath = dir.resolve(stem(poster) + "." + format.extension());
    Path reportPath = dir.resolve(stem(poster) + ".json");
    byte[] report;
    try {
      report = JSON.writeValueAsBytes(report(poster, imagePath));
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new io.sightline.core.StoreException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    AtomicFiles.write(imagePath, out -> out.write(img));
    AtomicFiles.write(reportPath, out -> out.write(report));
    return new Written(imagePath, reportPath);
  }

  /**
   * @param image an image
   * @param format PNG or JPEG
   * @return the encoded bytes
   */
  public static byte[] encode(BufferedImage image, Format format) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      if (format == Format.PNG) {
        if (!ImageIO.write(image, "png", bos)) {
          throw new PosterException("no PNG writer available");
        }
      } else {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) {
          throw new PosterException("no JPEG writer available");
        }
        ImageWriter w = it.next();
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.92f);
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(bos)) {
          w.setOutput(ios);
          w.write(null, new IIOImage(io.sightline.core.image.ImageOps.toRgb(image), null, null), p);
        } finally {
          w.dispose();
        }
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The JSON report of a poster, as written next to it and printed by the CLI.
   *
   * @param p the poster
   * @param output where its image is (or will be), or null
   * @return an ordered map ready for Jackson
   */
  public static Map<String, Object> report(Poster p, Path output) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("image", p.sourceId());
    if (!Double.isNaN(p.frameSeconds())) {
      m.put("frameSeconds", round(p.frameSeconds()));
    }
    m.put("template", p.template());
    m.put("size", List.of(p.width(), p.height()));
    m.put("crop", box(p.crop().crop()));
    m.put("cropped", p.crop().cropped());
    m.put("rule", p.crop().rule().name());
    m.put("shiftedToKeepFaces", p.crop().shiftedToKeepTargets());
    m.put("searched", p.crop().searched());
    if (p.crop().searched()) {
      m.put("searchScore", round(p.crop().searchScore()));
    }
    m.put("center", List.of(round(p.crop().centerX()), round(p.crop().centerY())));
    List<Object> faces = new ArrayList<>();
    for (Box b : p.crop().targets()) {
      faces.add(box(b));
    }
    m.put("faces", faces);
    m.put("salient", p.crop().salient() == null ? null : box(p.crop().salient()));
    List<Object> layers = new ArrayList<>();
    for (PlacedLayer l : p.layers()) {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("name", l.name());
      lm.put("type", l.type());
      lm.put("content", l.content());
      lm.put("box", l.box() == null ? null : box(l.box()));
      lm.put("overlap", round(l.overlap()));
      lm.put("variance", Math.round(l.variance() * 1e6) / 1e6);
      lm.put("candidates", l.candidates());
      layers.add(lm);
    }
    m.put("layers", layers);
    PosterScore s = p.score();
    Map<String, Object> sm = new LinkedHashMap<>();
    sm.put("total", round(s.total()));
    sm.put("resolution", round(s.resolution()));
    sm.put("sharpness", round(s.sharpness()));
    sm.put("laplacianVariance", round(s.laplacianVariance()));
    sm.put("expression", nan(s.expression()));
    sm.put("attractiveness", nan(s.attractiveness()));
    sm.put("feedback", nan(s.feedback()));
    sm.put("kept", s.kept());
    sm.put("reason", s.reason());
    m.put("score", sm);
    m.put("link", p.link());
    m.put("output", output == null ? null : output.toString());
    return m;
  }

  private static Map<String, Object> box(Box b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("x", round(b.x()));
    m.put("y", round(b.y()));
    m.put("w", round(b.w()));
    m.put("h", round(b.h()));
    return m;
  }

  private static Object nan(double v) {
    return Double.isNaN(v) ? null : round(v);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
