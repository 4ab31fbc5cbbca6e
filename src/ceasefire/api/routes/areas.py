"""Areas API: list (JSON pages or one GeoJSON FeatureCollection), read as a Feature, create."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse

from ceasefire.api.deps import Reader, SessionDep, Writer
from ceasefire.api.pagination import PageOut, page_out, page_params
from ceasefire.kernel.errors import Invalid
from ceasefire.kernel.paging import PageRequest
from ceasefire.kernel.vocab import AreaKind
from ceasefire.places import service
from ceasefire.places.schemas import AreaCreate, AreaFeature, AreaFeatureCollection, AreaRead

router = APIRouter(tags=["areas"])

GEOJSON = "application/geo+json"


def _point(contains: str | None) -> tuple[float, float] | None:
    """Parse ?contains=lon,lat."""
    if contains is None:
        return None
    try:
        lon, lat = (float(part) for part in contains.split(","))
    except ValueError:
        raise Invalid("contains must be 'longitude,latitude'", field="contains") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise Invalid("contains must be finite numbers", field="contains")
    return lon, lat


def _filters(
    kind: AreaKind | None = Query(None, description="Only areas of this kind."),
    valid_on: datetime | None = Query(None, description="Only areas valid at this instant (tz-aware)."),
    contains: str | None = Query(
        None, max_length=60, description="Only areas covering this point: 'longitude,latitude'."
    ),
) -> dict[str, Any]:
    return {"kind": kind.value if kind else None, "valid_on": valid_on, "contains": _point(contains)}


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get("/areas", response_model=PageOut[AreaRead])
def list_areas(
    request: Request,
    session: SessionDep,
    _: Reader,
    page: Annotated[PageRequest, Depends(page_params)],
    filters: Filters,
) -> PageOut[AreaRead]:
    """List areas by name, filtered by kind, validity and a point they cover."""
    return page_out(request, service.list_areas(session, page=page, **filters), AreaRead.model_validate)


@router.get(
    "/areas.geojson",
    response_model=AreaFeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
)
def list_areas_geojson(session: SessionDep, _: Reader, filters: Filters) -> JSONResponse:
    """Every matching area as one GeoJSON FeatureCollection (for maps)."""
    areas = service.matching_areas(session, **filters)
    collection = AreaFeatureCollection(features=[service.area_feature(a) for a in areas])
    return JSONResponse(collection.model_dump(mode="json"), media_type=GEOJSON)


@router.get("/areas/{area_id}", response_model=AreaFeature)
def read_area(area_id: str, session: SessionDep, _: Reader) -> AreaFeature:
    """One area as a GeoJSON Feature."""
    return service.area_feature(service.get_area(session, area_id=area_id))


@router.post("/areas", response_model=AreaFeature, status_code=status.HTTP_201_CREATED)
def create_area(data: AreaCreate, session: SessionDep, actor: Writer) -> AreaFeature:
    """Register an area: a valid Polygon or MultiPolygon with a kind and a tz-aware validity period."""
    return service.area_feature(service.create_area(session, data=data, actor=actor))
