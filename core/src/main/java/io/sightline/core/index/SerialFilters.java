package io.sightline.core.index;

import java.io.ObjectInputFilter;

/**
 * The only classes Sightline lets Java deserialization create when it reads an index file:
 * JDK collections and boxes, hnswlib, eclipse-collections (hnswlib's maps), Sightline's own
 * classes, and the caller's key type. Anything else (a gadget chain in a hostile file) is refused.
 */
final class SerialFilters {
  private SerialFilters() {}

  static ObjectInputFilter forKey(Class<?> keyType) {
    String key = keyType.getName();
    String pattern = "maxdepth=64;maxrefs=50000000;maxbytes=" + Long.MAX_VALUE + ";"
        + "java.lang.*;java.util.*;java.util.concurrent.*;java.util.concurrent.atomic.*;"
        + "java.util.concurrent.locks.*;java.math.*;"
        + "com.github.jelmerk.hnswlib.**;org.eclipse.collections.**;io.sightline.core.index.*;"
        + key + ";!*";
    return ObjectInputFilter.Config.createFilter(pattern);
  }
}
