package io.sightline.describer;

/**
 * A reference as stored.
 *
 * @param reference the page
 * @param imageKey content hash of the image (shared by duplicate images)
 * @param location where the image was read from (path, URL or upload name)
 * @param origin where it came from
 * @param addedAt when it was stored (epoch milliseconds)
 */
public record StoredReference(Reference reference, String imageKey, String location, Origin origin, long addedAt) {}
