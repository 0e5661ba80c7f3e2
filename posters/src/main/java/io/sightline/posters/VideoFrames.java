package io.sightline.posters;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.opencv.global.opencv_videoio;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_videoio.VideoCapture;

/**
 * Frame extraction (seed (24), (29), (70)) with OpenCV's video I/O: reads the video sequentially
 * and hands over one frame every {@code everySeconds}. Works with the containers and codecs the
 * bundled OpenCV build reads (always MJPG in AVI through OpenCV's built-in backend; more through
 * FFmpeg where the natives include it). Thread-safe: every call opens its own capture.
 */
public final class VideoFrames {
  /**
   * One extracted frame.
   *
   * @param index frame number in the video, from 0
   * @param seconds position in seconds
   * @param image the decoded frame
   */
  public record Frame(long index, double seconds, BufferedImage image) {}

  /**
   * Basic facts about a video.
   *
   * @param width frame width
   * @param height frame height
   * @param fps frames per second as declared (25 assumed when the file declares none)
   * @param frameCount declared frame count, or -1 when unknown
   */
  public record Info(int width, int height, double fps, long frameCount) {
    /** @return declared duration in seconds, or NaN */
    public double seconds() {
      return frameCount < 0 ? Double.NaN : frameCount / fps;
    }
  }

  private VideoFrames() {}

  private static VideoCapture open(Path video) {
    if (video == null || !Files.isRegularFile(video)) {
      throw new ImageDecodeException("video " + video + " does not exist");
    }
    VideoCapture cap = new VideoCapture(video.toString());
    if (!cap.isOpened()) {
      cap.close();
      throw new ImageDecodeException("cannot read video " + video
          + ": OpenCV found no backend that opens it (not a video, truncated, or an unsupported codec)");
    }
    return cap;
  }

  /**
   * @param video a video file
   * @return its size, frame rate and frame count
   * @throws ImageDecodeException when the file cannot be opened as a video
   */
  public static Info probe(Path video) {
    try (VideoCapture cap = open(video)) {
      return info(cap);
    }
  }

  private static Info info(VideoCapture cap) {
    double fps = cap.get(opencv_videoio.CAP_PROP_FPS);
    if (!(fps > 0 && fps < 1000)) {
      fps = 25;
    }
    double n = cap.get(opencv_videoio.CAP_PROP_FRAME_COUNT);
    return new Info((int) cap.get(opencv_videoio.CAP_PROP_FRAME_WIDTH), (int) cap.get(opencv_videoio.CAP_PROP_FRAME_HEIGHT),
        fps, n > 0 ? (long) n : -1);
  }

  /**
   * Reads the video and passes one frame every {@code everySeconds} (the first frame included).
   *
   * @param video a video file
   * @param everySeconds sampling period in seconds, positive
   * @param maxFrames stop after this many frames (at least 1)
   * @param cancel checked before each frame
   * @param sink receives the frames, in order
   * @return how many frames were passed
   * @throws ImageDecodeException when the file cannot be opened or holds no decodable frame
   */
  public static int sample(Path video, double everySeconds, int maxFrames, CancellationToken cancel,
      Consumer<Frame> sink) {
    if (!(everySeconds > 0) || maxFrames < 1) {
      throw new IllegalArgumentException("need everySeconds > 0 and maxFrames >= 1");
    }
    try (VideoCapture cap = open(video); Mat m = new Mat()) {
      double fps = info(cap).fps();
      long step = Math.max(1, Math.round(everySeconds * fps));
      long index = 0;
      int passed = 0;
      boolean anyFrame = false;
      while (passed < maxFrames) {
        cancel.throwIfCancelled();
        if (!cap.grab()) {
          break;
        }
        anyFrame = true;
        if (index % step == 0) {
          if (cap.retrieve(m) && !m.empty()) {
            sink.accept(new Frame(index, index / fps, CvImages.toImage(m)));
            passed++;
          }
        }
        index++;
      }
      if (!anyFrame || passed == 0) {
        throw new ImageDecodeException("cannot read video " + video + ": no frame could be decoded");
      }
      return passed;
    }
  }
}
