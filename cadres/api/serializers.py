"""Serializers of the cadres API.

Phone and ID-card numbers go out through `cadres.personal_data`, masked unless the caller needs
them. Related ids are checked against what the caller sees (`visible_to`); whether the caller may
make the change is the service's to say (403), and the model's rules are the service's to check
(400 through the one exception handler).
"""

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadres import personal_data
from cadres.choices import Channel, Gender, PartyStanding
from cadres.models import Branch, BranchMember, Cadre, Post, Registration, WorkUnit
from cadres.selectors import active_posts
from communities.api.serializers import ScopedPrimaryKeyRelatedField
from communities.choices import AreaLevel
from communities.models import Area, Building, Estate, Grid, Unit, User

# The channels a secretary enters registrations from; the self-service page and transfers make
# their own.
ENTERED_CHANNELS = [
    (channel.value, channel.label)
    for channel in (Channel.PHONE, Channel.SMS, Channel.WECHAT, Channel.IN_PERSON)
]


class VisiblePrimaryKeyRelatedField(ScopedPrimaryKeyRelatedField):
    """An id among the rows the caller sees; the service decides whether they may use it."""

    def __init__(self, **kwargs):
        super().__init__(scope="visible_to", **kwargs)


def _optional(model: type[Model]) -> VisiblePrimaryKeyRelatedField:
    return VisiblePrimaryKeyRelatedField(
        queryset=model.objects.all(), allow_null=True, required=False
    )


def _user(serializer: serializers.Serializer) -> User:
    return serializer.context["request"].user


def _label(value) -> str:
    return str(value) if value is not None else ""


# --- work units and cadres --------------------------------------------------------------------


class WorkUnitSerializer(serializers.ModelSerializer):
    county = VisiblePrimaryKeyRelatedField(queryset=Area.objects.filter(level=AreaLevel.COUNTY))
    parent = _optional(WorkUnit)

    class Meta:
        model = WorkUnit
        fields = ["id", "county", "parent", "name"]
        # The model's constraints (checked by the service) are the one source of these rules.
        validators = []


def active_community_ids(cadre: Cadre) -> list[int]:
    """The communities `cadre` is actively registered with: annotated on lists (no query per
    row), looked up for a single cadre that was just saved."""
    ids = getattr(cadre, "active_community_ids", None)
    if ids is None:
        ids = list(
            Registration.objects.active().filter(cadre=cadre).values_list("community_id", flat=True)
        )
    return [pk for pk in ids if pk is not None]


def cadre_phone(user: User, cadre: Cadre) -> str:
    """The phone as `user` may see it: full to the secretary of a community the cadre is
    actively registered with (and to those who see every phone), masked to anyone else."""
    return personal_data.shown_cadre_phone(user, cadre.phone, active_community_ids(cadre))


class CadreSerializer(serializers.ModelSerializer):
    # Taken as people type them (spaces, +86); the model tidies and checks them, so its
    # validators are the one source of the rules.
    phone = serializers.CharField(
        label=_("mobile phone"),
        max_length=20,
        help_text=_("Shown masked (138****1234) unless the caller needs the full number."),
    )
    id_number = serializers.CharField(
        label=_("ID-card number"),
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("Always shown masked; POST …/id-number/ reveals it to those allowed."),
    )
    work_unit = VisiblePrimaryKeyRelatedField(queryset=WorkUnit.objects.all())
    work_unit_name = serializers.CharField(source="work_unit.name", read_only=True)

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "gender",
            "phone",
            "id_number",
            "work_unit",
            "work_unit_name",
            "position",
            "is_county_leader",
            "party_standing",
            "name_initials",
        ]
        read_only_fields = ["name_initials"]
        validators = []

    def to_representation(self, cadre: Cadre) -> dict:
        data = super().to_representation(cadre)
        data["phone"] = cadre_phone(_user(self), cadre)
        data["id_number"] = personal_data.shown_id_number(cadre.id_number)
        return data


class CadreIdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("ID-card number"), read_only=True)


# --- registrations ----------------------------------------------------------------------------


class PostBriefSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    place = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "kind", "kind_label", "place"]

    def get_place(self, post: Post) -> str:
        return _label(post.place)


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration as the workbench shows it; a PATCH changes the address, the commitment
    letter date and the pioneer post, nothing else."""

    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    cadre_phone = serializers.SerializerMethodField(
        help_text=_("Full to the secretary of the registration's community, else masked.")
    )
    work_unit = serializers.IntegerField(source="cadre.work_unit_id", read_only=True)
    work_unit_name = serializers.CharField(source="cadre.work_unit.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    building = _optional(Building)
    building_name = serializers.SerializerMethodField()
    unit = _optional(Unit)
    unit_name = serializers.SerializerMethodField()
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    posts = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "cadre_phone",
            "work_unit",
            "work_unit_name",
            "community",
            "community_name",
            "building",
            "building_name",
            "unit",
            "unit_name",
            "room",
            "channel",
            "channel_label",
            "status",
            "status_label",
            "commitment_signed_on",
            "pioneer_post",
            "transferred_from",
            "decided_at",
            "return_reason",
            "created_at",
            "posts",
        ]
        read_only_fields = [
            "cadre",
            "community",
            "channel",
            "status",
            "transferred_from",
            "decided_at",
            "return_reason",
            "created_at",
        ]
        validators = []

    def get_cadre_phone(self, registration: Registration) -> str:
        return personal_data.shown_phone(
            _user(self), registration.cadre.phone, registration.community_id, registration.status
        )

    def get_building_name(self, registration: Registration) -> str:
        return _label(registration.building)

    def get_unit_name(self, registration: Registration) -> str:
        return _label(registration.unit)

    @extend_schema_field(PostBriefSerializer(many=True))
    def get_posts(self, registration: Registration) -> list:
        posts = getattr(registration, "active_posts", None)
        if posts is None:
            posts = active_posts().filter(registration=registration)
        return PostBriefSerializer(posts, many=True, context=self.context).data


class RegistrationSubmitSerializer(serializers.Serializer):
    """A registration a secretary enters: taken by phone, SMS, WeChat or in person."""

    community = VisiblePrimaryKeyRelatedField(queryset=Area.objects.communities())
    name = serializers.CharField(label=_("name"), max_length=50)
    phone = serializers.CharField(label=_("mobile phone"), max_length=20)
    gender = serializers.ChoiceField(
        label=_("gender"), choices=Gender.choices, allow_blank=True, default=""
    )
    id_number = serializers.CharField(
        label=_("ID-card number"), max_length=30, allow_blank=True, allow_null=True, default=None
    )
    work_unit = VisiblePrimaryKeyRelatedField(queryset=WorkUnit.objects.all())
    position = serializers.CharField(
        label=_("position"), max_length=100, allow_blank=True, default=""
    )
    party_standing = serializers.ChoiceField(
        label=_("Party standing"), choices=PartyStanding.choices, default=PartyStanding.FULL
    )
    is_county_leader = serializers.BooleanField(label=_("county-level leader"), default=False)
    building = VisiblePrimaryKeyRelatedField(
        queryset=Building.objects.all(), allow_null=True, default=None
    )
    unit = VisiblePrimaryKeyRelatedField(queryset=Unit.objects.all(), allow_null=True, default=None)
    room = serializers.CharField(label=_("room"), max_length=20, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        label=_("channel"), choices=ENTERED_CHANNELS, default=Channel.IN_PERSON
    )
    commitment_signed_on = serializers.DateField(
        label=_("commitment letter signed on"), allow_null=True, default=None
    )
    pioneer_post = serializers.CharField(
        label=_("pioneer post"), max_length=100, allow_blank=True, default=""
    )


class RegistrationIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        label=_("registrations"),
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
    )


class RegistrationReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason for returning"), max_length=1000)


class RegistrationReturnManySerializer(RegistrationIdsSerializer, RegistrationReturnSerializer):
    pass


class RegistrationTransferSerializer(serializers.Serializer):
    """Where a confirmed member moved to: any community, since people move out of the
    secretary's area; the model checks the building and unit lie in it."""

    community = serializers.PrimaryKeyRelatedField(
        label=_("community"), queryset=Area.objects.communities()
    )
    building = serializers.PrimaryKeyRelatedField(
        label=_("building"), queryset=Building.objects.all(), allow_null=True, default=None
    )
    unit = serializers.PrimaryKeyRelatedField(
        label=_("unit"), queryset=Unit.objects.all(), allow_null=True, default=None
    )
    room = serializers.CharField(label=_("room"), max_length=20, allow_blank=True, default="")


# --- posts ------------------------------------------------------------------------------------


class PostSerializer(serializers.ModelSerializer):
    registration = VisiblePrimaryKeyRelatedField(queryset=Registration.objects.all())
    cadre = serializers.IntegerField(source="registration.cadre_id", read_only=True)
    cadre_name = serializers.CharField(source="registration.cadre.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    estate = _optional(Estate)
    grid = _optional(Grid)
    building = _optional(Building)
    unit = _optional(Unit)
    place = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "registration",
            "cadre",
            "cadre_name",
            "community",
            "kind",
            "kind_label",
            "estate",
            "grid",
            "building",
            "unit",
            "place",
            "created_at",
            "ended_at",
        ]
        read_only_fields = ["community", "created_at", "ended_at"]
        validators = []

    def get_place(self, post: Post) -> str:
        return _label(post.place)


# --- branches ---------------------------------------------------------------------------------


class BranchMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="cadre.name", read_only=True)
    party_standing = serializers.CharField(source="cadre.party_standing", read_only=True)

    class Meta:
        model = BranchMember
        fields = ["cadre", "name", "party_standing", "joined_on"]


class BranchSerializer(serializers.ModelSerializer):
    area = VisiblePrimaryKeyRelatedField(queryset=Area.objects.all())
    grid = _optional(Grid)
    secretary = _optional(Cadre)
    secretary_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    member_count = serializers.IntegerField(label=_("members"), read_only=True)
    full_member_count = serializers.IntegerField(label=_("full Party members"), read_only=True)
    members = BranchMemberSerializer(source="current_members", many=True, read_only=True)

    class Meta:
        model = Branch
        fields = [
            "id",
            "area",
            "kind",
            "grid",
            "name",
            "status",
            "status_label",
            "secretary",
            "secretary_name",
            "established_on",
            "dissolved_on",
            "member_count",
            "full_member_count",
            "members",
        ]
        read_only_fields = ["status", "established_on", "dissolved_on"]
        validators = []

    def get_secretary_name(self, branch: Branch) -> str:
        return _label(branch.secretary)


class BranchEstablishSerializer(serializers.Serializer):
    established_on = serializers.DateField(label=_("established on"), allow_null=True, default=None)


class BranchMembersSerializer(serializers.Serializer):
    cadres = VisiblePrimaryKeyRelatedField(
        queryset=Cadre.objects.all(), many=True, allow_empty=False
    )


class BranchRemoveMemberSerializer(serializers.Serializer):
    cadre = VisiblePrimaryKeyRelatedField(queryset=Cadre.objects.all())
