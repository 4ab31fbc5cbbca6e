/*
 * ceasefire maps (Leaflet from /static/vendor/leaflet/, never a CDN; no inline script or style).
 *
 * CONTRACT — any page may show a small map of a GeoJSON document:
 *
 *   <link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
 *   <link rel="stylesheet" href="/static/css/map.css">
 *   <div data-map data-geojson-url="/api/v1/areas/some-area" class="map small"
 *        aria-label="Geographic scope"></div>
 *   <script src="/static/vendor/leaflet/leaflet.js" defer></script>
 *   <script src="/static/js/map.js" defer></script>
 *
 * map.js turns every element with `data-map` and `data-geojson-url` into a map of that GeoJSON
 * (a Feature, a FeatureCollection or a bare geometry), fetched with the page's cookies, drawn over
 * the offline basemap and zoomed to its extent. Polygons are coloured by `properties.kind` (area
 * kinds: besieged_area, agreement_scope, area_of_control, demilitarised_zone...); a feature's
 * `properties.name` is its popup. Optional attributes: `data-tile-url` and `data-tile-attribution`
 * (draw tiles instead of the offline basemap: pass the settings map_tile_url/map_tile_attribution),
 * `data-basemap-url` (default /static/data/basemap.geojson). Give the element a height (class
 * `map small` = 18rem) and an aria-label. Without JavaScript the element stays empty: put the
 * same information in text next to it.
 *
 * The /map page's element (#map with data-incidents-url) is the full map: server-side clusters of
 * /api/v1/map/incidents reloaded on every move, the areas of /api/v1/map/areas, the time slider
 * and the filters of the form #map-filters (a change submits the form: the table follows).
 */
(function () {
  "use strict";
  if (typeof L === "undefined") {
    return;
  }
  var SYRIA = [[32.2, 35.5], [37.4, 42.5]];
  var BASEMAP_URL = "/static/data/basemap.geojson";
  var NATURAL_EARTH = "Made with Natural Earth";
  var AREA_STYLES = {
    besieged_area: { color: "#b3261e", weight: 2, fillColor: "#b3261e", fillOpacity: 0.25 },
    agreement_scope: { color: "#0b6bcb", weight: 2, dashArray: "6 4", fillColor: "#0b6bcb", fillOpacity: 0.06 },
    area_of_control: { color: "#6b4fa0", weight: 1.5, fillColor: "#6b4fa0", fillOpacity: 0.1 },
    demilitarised_zone: { color: "#1e7a3c", weight: 2, dashArray: "2 4", fillColor: "#1e7a3c", fillOpacity: 0.12 },
    country: { color: "#5b6675", weight: 1, fillOpacity: 0 }
  };

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function gradeColor(grade) {
    return cssVar("--grade-" + grade, "#7d8590");
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ": " + r.status);
      }
      return r.json();
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function parseLabels(text) {
    try {
      return JSON.parse(text || "{}");
    } catch (e) {
      return {};
    }
  }

  function basePanes(map) {
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 150;
    map.createPane("labels");
    map.getPane("labels").style.zIndex = 450;
    map.getPane("labels").style.pointerEvents = "none";
  }

  function label(latlng, text, className) {
    var icon = L.divIcon({ className: "map-label " + className, html: el("span", "", text), iconSize: null });
    return L.marker(latlng, { icon: icon, pane: "labels", interactive: false, keyboard: false });
  }

  /* The offline basemap (Natural Earth countries, OpenSyria names) or the configured tiles. */
  function addBasemap(map, node, withLabels) {
    var tiles = node.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: node.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
      return;
    }
    map.attributionControl.addAttribution(node.dataset.basemapAttribution || NATURAL_EARTH);
    json(node.dataset.basemapUrl || BASEMAP_URL).then(function (data) {
      var countries = L.geoJSON(data, {
        pane: "basemap",
        interactive: false,
        style: function (feature) {
          return feature.properties.focus
            ? { color: "#59626e", weight: 1.6, fillColor: "#f6f3ec", fillOpacity: 1 }
            : { color: "#9aa3ad", weight: 1, fillColor: "#e4e1d8", fillOpacity: 1 };
        }
      }).addTo(map);
      if (withLabels) {
        var names = L.layerGroup();
        countries.eachLayer(function (layer) {
          var props = layer.feature.properties;
          var lang = document.documentElement.lang;
          if (!props.focus) {
            names.addLayer(label(layer.getBounds().getCenter(), props["name_" + lang] || props.name, "country"));
          }
        });
        names.addTo(map);
      }
    }).catch(function () { /* the map still shows the incidents */ });
    if (!withLabels || !node.dataset.labelsUrl) {
      return;
    }
    json(node.dataset.labelsUrl).then(function (data) {
      var arabic = document.documentElement.lang === "ar";
      var governorates = L.layerGroup();
      var districts = L.layerGroup();
      data.features.forEach(function (f) {
        var p = f.properties;
        var c = f.geometry.coordinates;
        var text = arabic && p.name_ar ? p.name_ar : p.name;
        (p.level === "governorate" ? governorates : districts).addLayer(label([c[1], c[0]], text, p.level));
      });
      function byZoom() {
        var z = map.getZoom();
        if (z >= 6 && z < 9) { governorates.addTo(map); } else { governorates.remove(); }
        if (z >= 9) { districts.addTo(map); } else { districts.remove(); }
      }
      map.on("zoomend", byZoom);
      byZoom();
    }).catch(function () { /* names are a help, not a need */ });
  }

  function areaPopup(props, kinds) {
    var box = el("div", "map-popup");
    box.appendChild(el("h3", "", props.name || ""));
    if (props.kind) {
      box.appendChild(el("p", "muted", kinds[props.kind] || props.kind));
    }
    if (props.description) {
      box.appendChild(el("p", "", props.description));
    }
    if (props.agreements && props.agreements.length) {
      var list = el("ul", "");
      props.agreements.forEach(function (a) {
        var item = el("li", "");
        var link = el("a", "", a.name);
        link.href = "/registries/agreements/" + encodeURIComponent(a.id);
        item.appendChild(link);
        if (a.mode && a.mode !== "include") {
          item.appendChild(document.createTextNode(" (" + a.mode + ")"));
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  function drawGeoJSON(map, data, kinds) {
    return L.geoJSON(data, {
      style: function (feature) {
        var kind = feature.properties && feature.properties.kind;
        return AREA_STYLES[kind] || AREA_STYLES.agreement_scope;
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5, fillColor: "#1f3a5f", fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, layer) {
        if (feature.properties && feature.properties.name) {
          layer.bindPopup(areaPopup(feature.properties, kinds));
        }
      }
    }).addTo(map);
  }

  /* A small map of one GeoJSON document (the contract above). */
  function smallMap(node) {
    var map = L.map(node, { scrollWheelZoom: false });
    basePanes(map);
    map.fitBounds(SYRIA);
    addBasemap(map, node, false);
    json(node.dataset.geojsonUrl).then(function (data) {
      var layer = drawGeoJSON(map, data, parseLabels(node.dataset.kindLabels));
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16], maxZoom: 12 });
      }
    }).catch(function () {
      node.appendChild(el("p", "map-notice", "The map data could not be loaded."));
    });
  }

  /* ----- the /map page ----- */

  function incidentPopup(p, node, grades) {
    var box = el("div", "map-popup");
    box.appendChild(el("h3", "", p.title));
    var grade = el("span", "badge grade-" + p.grade, grades[p.grade] || p.grade);
    box.appendChild(el("p", "")).appendChild(grade);
    if (p.window_start) {
      var when = new Date(p.window_start);
      var fmt = new Intl.DateTimeFormat(document.documentElement.lang || "en", {
        dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Damascus"
      });
      box.appendChild(el("p", "", fmt.format(when)));
    }
    if (p.killed_min !== null && p.killed_min !== undefined) {
      var killed = p.killed_min === p.killed_max ? String(p.killed_min) : p.killed_min + "–" + p.killed_max;
      box.appendChild(el("p", "", (node.dataset.textKilled || "Killed") + ": " + killed));
    }
    var link = el("a", "", node.dataset.textOpen || "Open");
    link.href = p.url;
    box.appendChild(el("p", "")).appendChild(link);
    return box;
  }

  function clusterMarker(f, map, node) {
    var p = f.properties;
    var size = Math.round(26 + Math.min(30, 7 * Math.log10(p.count) * 2));
    var text = (node.dataset.textCluster || "{n}").replace("{n}", String(p.count));
    var icon = L.divIcon({
      className: "",
      html: el("div", "map-cluster grade-" + p.grade, String(p.count)),
      iconSize: [size, size]
    });
    var c = f.geometry.coordinates;
    var marker = L.marker([c[1], c[0]], { icon: icon, title: text, alt: text, riseOnHover: true });
    marker.on("click", function () {
      var b = p.bounds;
      var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
        map.setView(bounds.getCenter(), Math.min(map.getZoom() + 3, map.getMaxZoom()));
      } else {
        map.fitBounds(bounds.pad(0.2), { maxZoom: map.getMaxZoom() });
      }
    });
    return marker;
  }

  function setupTimeSlider(form) {
    var holder = form.querySelector(".time-slider");
    var fromInput = form.querySelector("input[name=from]");
    var toInput = form.querySelector("input[name=to]");
    var first = form.dataset.firstDay;
    var last = form.dataset.lastDay;
    if (!holder || !fromInput || !toInput || !first || !last) {
      return;
    }
    var day = 86400000;
    var t0 = Date.parse(first + "T00:00:00Z");
    var span = Math.max(0, Math.round((Date.parse(last + "T00:00:00Z") - t0) / day));
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang || "en", { dateStyle: "medium", timeZone: "UTC" });
    function iso(n) { return new Date(t0 + n * day).toISOString().slice(0, 10); }
    function index(value, fallback) {
      var t = Date.parse(value + "T00:00:00Z");
      return isNaN(t) ? fallback : Math.min(span, Math.max(0, Math.round((t - t0) / day)));
    }
    function make(name, text, value) {
      var id = "map-slider-" + name;
      var wrap = el("div", "");
      var lab = el("label", "", text + " ");
      lab.htmlFor = id;
      var out = el("output", "");
      out.htmlFor = id;
      lab.appendChild(out);
      var range = el("input", "");
      range.type = "range";
      range.id = id;
      range.min = "0";
      range.max = String(span);
      range.step = "1";
      range.value = String(value);
      wrap.appendChild(lab);
      wrap.appendChild(range);
      holder.appendChild(wrap);
      return { range: range, out: out };
    }
    var a = make("from", holder.dataset.labelFrom || "From", index(fromInput.value, 0));
    var b = make("to", holder.dataset.labelTo || "To", index(toInput.value, span));
    function show() {
      [a, b].forEach(function (s) {
        var text = fmt.format(new Date(t0 + Number(s.range.value) * day));
        s.out.textContent = text;
        s.range.setAttribute("aria-valuetext", text);
      });
    }
    function moved(which) {
      var x = Number(a.range.value);
      var y = Number(b.range.value);
      if (x > y) {
        if (which === a) { b.range.value = String(x); } else { a.range.value = String(y); }
      }
      fromInput.value = Number(a.range.value) === 0 && !fromInput.value ? "" : iso(Number(a.range.value));
      toInput.value = Number(b.range.value) === span && !toInput.value ? "" : iso(Number(b.range.value));
      show();
    }
    [a, b].forEach(function (s) {
      s.range.addEventListener("input", function () { moved(s); });
      s.range.addEventListener("change", function () {
        fromInput.value = iso(Number(a.range.value));
        toInput.value = iso(Number(b.range.value));
        form.requestSubmit();
      });
    });
    show();
    holder.hidden = false;
  }

  function mainMap(node) {
    var form = document.getElementById("map-filters");
    var bboxInput = document.getElementById("map-bbox");
    var count = document.getElementById("map-count");
    var grades = parseLabels(node.dataset.gradeLabels);
    var kinds = parseLabels(node.dataset.kindLabels);
    var map = L.map(node, { minZoom: 4, maxZoom: 16 });
    basePanes(map);
    var start = bboxInput && bboxInput.value ? bboxInput.value.split(",").map(Number) : null;
    if (start && start.length === 4 && start.every(isFinite)) {
      map.fitBounds([[start[1], start[0]], [start[3], start[2]]]);
    } else {
      map.fitBounds(SYRIA);
    }
    addBasemap(map, node, true);
    if (node.dataset.areasUrl) {
      json(node.dataset.areasUrl).then(function (data) { drawGeoJSON(map, data, kinds); }).catch(function () {});
    }
    var layer = L.layerGroup().addTo(map);
    var pending = null;
    var notice = null;

    function filterParams() {
      var params = new URLSearchParams();
      if (form) {
        new FormData(form).forEach(function (value, key) {
          if (key !== "bbox" && value) {
            params.append(key, String(value));
          }
        });
      }
      return params;
    }

    function load() {
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(4); }).join(",");
      if (bboxInput) {
        bboxInput.value = box;
      }
      var params = filterParams();
      params.set("bbox", box);
      params.set("zoom", String(map.getZoom()));
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      node.setAttribute("aria-busy", "true");
      fetch(node.dataset.incidentsUrl + "?" + params.toString(), {
        credentials: "same-origin",
        signal: pending.signal,
        headers: { Accept: "application/geo+json" }
      }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (data) {
        layer.clearLayers();
        data.features.forEach(function (f) {
          var p = f.properties;
          if (p.kind === "cluster") {
            layer.addLayer(clusterMarker(f, map, node));
          } else {
            var c = f.geometry.coordinates;
            layer.addLayer(
              L.circleMarker([c[1], c[0]], {
                radius: 7, color: "#ffffff", weight: 1.5, fillColor: gradeColor(p.grade), fillOpacity: 0.95,
                className: "map-incident grade-" + p.grade
              }).bindPopup(incidentPopup(p, node, grades))
            );
          }
        });
        if (count) {
          count.textContent = (node.dataset.textCount || "{n}").replace(
            "{n}", new Intl.NumberFormat(document.documentElement.lang || "en").format(data.total)
          );
          count.dataset.total = String(data.total);
        }
        if (notice) { notice.remove(); notice = null; }
        if (data.truncated) {
          notice = el("p", "map-notice", node.dataset.textTruncated || "");
          node.parentNode.insertBefore(notice, node);
        }
        node.setAttribute("aria-busy", "false");
      }).catch(function (err) {
        if (err.name !== "AbortError") { node.setAttribute("aria-busy", "false"); }
      });
    }

    map.on("moveend", load);
    load();
    if (form) {
      form.querySelectorAll("select, input[type=date]").forEach(function (input) {
        input.addEventListener("change", function () { form.requestSubmit(); });
      });
      setupTimeSlider(form);
    }
  }

  function init() {
    document.querySelectorAll("[data-map][data-geojson-url]").forEach(smallMap);
    var main = document.querySelector("#map[data-incidents-url]");
    if (main) {
      mainMap(main);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
