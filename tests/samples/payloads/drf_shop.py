"""Django REST framework: serializers that decide which fields a client writes and reads (AR104-AR106)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response

User = get_user_model()


class Project(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=120)
    budget = models.DecimalField(max_digits=12, decimal_places=2)


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    total = models.DecimalField(max_digits=12, decimal_places=2)


class OrderNote(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.TextField()


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "owner", "name", "budget"]  # expect: AR105


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "customer", "total"]
        read_only_fields = ["customer", "total"]


class OrderNoteSerializer(serializers.ModelSerializer):
    author = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = OrderNote
        fields = ["id", "order", "author", "text"]


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = "__all__"  # expect: AR106


class StaffUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "is_active"]


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Project.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class OrderViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user)


class OrderNoteCreate(generics.CreateAPIView):
    serializer_class = OrderNoteSerializer
    permission_classes = [IsAuthenticated]


class TeamMemberList(generics.ListAPIView):
    serializer_class = TeamMemberSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return User.objects.filter(groups__in=self.request.user.groups.all())


class StaffUserViewSet(viewsets.ModelViewSet):
    queryset = User.objects.filter(is_staff=True)
    serializer_class = StaffUserSerializer
    permission_classes = [IsAdminUser]


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def add_order_note(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    author = get_object_or_404(User, pk=request.data["user_id"])  # expect: AR104
    note = OrderNote.objects.create(order=order, author=author, text=request.data.get("text", ""))
    return Response({"id": note.pk}, status=201)


@api_view(["POST"])
@permission_classes([IsAuthenticated])
def quick_order(request):
    order = Order.objects.create(**request.data)  # expect: AR105
    return Response({"id": order.pk}, status=201)


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def whoami(request):
    return Response(model_to_dict(request.user))  # expect: AR106


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def whoami_short(request):
    return Response(model_to_dict(request.user, fields=["id", "username", "email"]))
