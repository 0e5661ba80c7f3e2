package io.sightline.posters;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Depth-of-field cue for the importance map: photographers put the subject in focus and let the
 * background blur, so fine detail is a sign of the subject where the rest of the frame is soft.
 * The cue is the absolute Laplacian (a second derivative, which a blurred edge of any contrast
 * barely excites, unlike the gradient the edge component uses) of the grey image at twice the
 * map's size, averaged over each map cell. Where the whole photo is sharp the cue is spread over
 * the frame and the uniqueness weighting of the map gives it little weight.
 */
final class FocusMap {
  private FocusMap() {}

  /**
   * @param bgr the photo (or a reduced copy of it), 8-bit BGR
   * @param w map width
   * @param h map height
   * @return the mean absolute Laplacian per map cell, row-major, w × h values
   */
  static float[] compute(Mat bgr, int w, int h) {
    int fw = 2 * w;
    float[] lap;
    try (Mat fine = new Mat(); Mat grey = new Mat(); Mat l = new Mat()) {
      opencv_imgproc.resize(bgr, fine, new Size(fw, 2 * h), 0, 0, opencv_imgproc.INTER_AREA);
      opencv_imgproc.cvtColor(fine, grey, opencv_imgproc.COLOR_BGR2GRAY);
      opencv_imgproc.Laplacian(grey, l, opencv_core.CV_32F);
      lap = CvImages.floats(l);
    }
    float[] out = new float[w * h];
    for (int y = 0; y < h; y++) {
      int r0 = 2 * y * fw;
      int r1 = r0 + fw;
      for (int x = 0; x < w; x++) {
        int c = 2 * x;
        out[y * w + x] = (Math.abs(lap[r0 + c]) + Math.abs(lap[r0 + c + 1]) + Math.abs(lap[r1 + c])
            + Math.abs(lap[r1 + c + 1])) / 4f;
      }
    }
    return out;
  }
}
