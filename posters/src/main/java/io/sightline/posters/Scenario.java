package io.sightline.posters;

/**
 * An application scenario or platform and the poster size it needs (seed (50)–(51), (67),
 * claim 5): one source image gives one poster per scenario.
 *
 * @param name scenario name (used in output names)
 * @param width poster width in pixels
 * @param height poster height in pixels
 */
public record Scenario(String name, int width, int height) {
  /** Portrait story / portrait video cover, 1080x1920 (9:16). */
  public static final Scenario STORY = new Scenario("story", 1080, 1920);
  /** Landscape video cover, 1920x1080 (16:9). */
  public static final Scenario VIDEO_COVER = new Scenario("cover", 1920, 1080);
  /** Square feed thumbnail, 1080x1080. */
  public static final Scenario FEED_SQUARE = new Scenario("square", 1080, 1080);
  /** Portrait feed post, 1080x1350 (4:5). */
  public static final Scenario FEED_PORTRAIT = new Scenario("feed", 1080, 1350);

  /** Validates. */
  public Scenario {
    if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("scenario name must be letters, digits, '_', '.' or '-': " + name);
    }
    if (width < 1 || height < 1 || width > PosterTemplate.MAX_SIDE || height > PosterTemplate.MAX_SIDE) {
      throw new IllegalArgumentException("scenario size must be 1.." + PosterTemplate.MAX_SIDE + ": " + width + "x" + height);
    }
  }

  /** @return the aspect of this size */
  public AspectRatio aspect() {
    return new AspectRatio(width, height);
  }
}
