package io.sightline.posters;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_videoio.VideoWriter;

/** Test helper: writes MJPG/AVI clips with OpenCV's built-in writer. */
public final class VideoWriterAccess {
  private VideoWriterAccess() {}

  /**
   * @param file output .avi
   * @param frames distinct frames, cycled
   * @param fps frame rate
   * @param count frames to write
   */
  public static void write(Path file, List<BufferedImage> frames, int fps, int count) {
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    List<Mat> mats = new ArrayList<>();
    for (BufferedImage f : frames) {
      mats.add(CvImages.toBgr(f));
    }
    try (VideoWriter vw = new VideoWriter(file.toString(), VideoWriter.fourcc((byte) 'M', (byte) 'J', (byte) 'P', (byte) 'G'),
        fps, new Size(w, h), true)) {
      if (!vw.isOpened()) {
        throw new IllegalStateException("OpenCV cannot write " + file);
      }
      for (int i = 0; i < count; i++) {
        vw.write(mats.get((i / fps) % mats.size()));
      }
    }
    mats.forEach(Mat::close);
  }
}
