const fullName = (user) => {
  return `${user.first} ${user.last}`;
};

module.exports = { fullName };
