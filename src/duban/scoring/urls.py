"""/scoring/: scores, a unit's own points and contests, the office's rules and contest queue (namespace "scoring")."""

from django.urls import path

from duban.scoring.views import board, office

app_name = "scoring"
urlpatterns = [
    path("", board.score_board, name="board"),
    path("export/", board.export, name="export"),
    path("mine/", board.my_points, name="mine"),
    path("points/<int:pk>/contest/", board.contest, name="contest"),
    path("refresh/", board.refresh, name="refresh"),
    path("publish/", board.publish, name="publish"),
    path("praise/", board.praise, name="praise"),
    path("rules/", office.rules, name="rules"),
    path("rules/versions/", office.ruleset_create, name="ruleset_create"),
    path("rules/versions/<int:pk>/rules/", office.rule_set, name="rule_set"),
    path("rules/<int:pk>/remove/", office.rule_remove, name="rule_remove"),
    path("lists/", office.list_rule_create, name="list_rule_create"),
    path("lists/<int:pk>/remove/", office.list_rule_remove, name="list_rule_remove"),
    path("contests/", office.contests, name="contests"),
    path("contests/<int:pk>/rule/", office.rule_on, name="rule_on"),
]
