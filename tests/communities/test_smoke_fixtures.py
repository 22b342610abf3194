def test_fixtures_build_a_scoped_world(secretary, other_secretary, unit, grid, far_community):
    assert unit.building.community == secretary.area
    assert grid.buildings.get() == unit.building
    assert not far_community.path.startswith(secretary.area.parent.path)
