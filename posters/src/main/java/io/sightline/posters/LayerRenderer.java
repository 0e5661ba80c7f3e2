package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.awt.AlphaComposite;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws layer content into a box of the canvas. Text uses the template's real font, wraps at word
 * boundaries (breaking words that are too long on their own) and takes the largest size whose lines
 * fit the box; it is centred. Images keep their aspect (fit inside the box, centred) and their
 * alpha channel. Pure and thread-safe.
 */
public final class LayerRenderer {
  private LayerRenderer() {}

  /**
   * @param canvas the poster being drawn (modified)
   * @param content what to draw
   * @param box where, in canvas pixels
   * @param extracted for {@link LayerContent.Extracted}, the region cut from the initial image
   */
  public static void draw(BufferedImage canvas, LayerContent content, Box box, BufferedImage extracted) {
    Graphics2D g = canvas.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setComposite(AlphaComposite.SrcOver);
      int x = (int) Math.round(box.x());
      int y = (int) Math.round(box.y());
      int w = Math.max(1, (int) Math.round(box.w()));
      int h = Math.max(1, (int) Math.round(box.h()));
      if (content instanceof LayerContent.Text t) {
        drawText(g, t, x, y, w, h);
      } else if (content instanceof LayerContent.Image i) {
        drawImage(g, i.image(), x, y, w, h);
      } else if (extracted != null) {
        drawImage(g, extracted, x, y, w, h);
      }
    } finally {
      g.dispose();
    }
  }

  private static void drawImage(Graphics2D g, BufferedImage img, int x, int y, int w, int h) {
    double s = Math.min(w / (double) img.getWidth(), h / (double) img.getHeight());
    int dw = Math.max(1, (int) Math.round(img.getWidth() * s));
    int dh = Math.max(1, (int) Math.round(img.getHeight() * s));
    g.drawImage(img, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, null);
  }

  private static void drawText(Graphics2D g, LayerContent.Text t, int x, int y, int w, int h) {
    if (t.background() != null) {
      g.setColor(t.background());
      g.fillRect(x, y, w, h);
    }
    int pad = Math.max(1, Math.min(w, h) / 10);
    int iw = Math.max(1, w - 2 * pad);
    int ih = Math.max(1, h - 2 * pad);
    Font base = t.font();
    int lo = 4;
    int hi = Math.max(lo, ih);
    List<String> best = null;
    Font bestFont = base.deriveFont((float) lo);
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Font f = base.deriveFont((float) mid);
      FontMetrics fm = g.getFontMetrics(f);
      List<String> lines = wrap(t.text(), fm, iw);
      if (lines.size() * fm.getHeight() <= ih && widest(lines, fm) <= iw) {
        best = lines;
        bestFont = f;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    FontMetrics fm = g.getFontMetrics(bestFont);
    if (best == null) {
      best = wrap(t.text(), fm, iw);
    }
    g.setFont(bestFont);
    g.setColor(t.color());
    int total = best.size() * fm.getHeight();
    int ty = y + pad + Math.max(0, (ih - total) / 2) + fm.getAscent();
    java.awt.Shape clip = g.getClip();
    g.clipRect(x, y, w, h);
    for (String line : best) {
      int lw = fm.stringWidth(line);
      g.drawString(line, x + pad + Math.max(0, (iw - lw) / 2), ty);
      ty += fm.getHeight();
    }
    g.setClip(clip);
  }

  private static int widest(List<String> lines, FontMetrics fm) {
    int m = 0;
    for (String l : lines) {
      m = Math.max(m, fm.stringWidth(l));
    }
    return m;
  }

  /**
   * Greedy word wrap; a word wider than the line is split between characters.
   *
   * @param text the text (explicit newlines start new lines)
   * @param fm font metrics
   * @param width line width in pixels
   * @return the lines
   */
  static List<String> wrap(String text, FontMetrics fm, int width) {
    List<String> out = new ArrayList<>();
    for (String para : text.split("\\R")) {
      StringBuilder line = new StringBuilder();
      for (String word : para.trim().split("\\s+")) {
        if (word.isEmpty()) {
          continue;
        }
        String candidate = line.length() == 0 ? word : line + " " + word;
        if (fm.stringWidth(candidate) <= width) {
          line.setLength(0);
          line.append(candidate);
          continue;
        }
        if (line.length() > 0) {
          out.add(line.toString());
          line.setLength(0);
        }
        String rest = word;
        while (fm.stringWidth(rest) > width && rest.length() > 1) {
          int cut = rest.length() - 1;
          while (cut > 1 && fm.stringWidth(rest.substring(0, cut)) > width) {
            cut--;
          }
          out.add(rest.substring(0, cut));
          rest = rest.substring(cut);
        }
        line.append(rest);
      }
      out.add(line.toString());
    }
    return out;
  }
}
